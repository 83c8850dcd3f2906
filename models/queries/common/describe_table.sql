DESCRIBE {table}
