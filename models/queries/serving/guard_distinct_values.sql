SELECT DISTINCT {column} FROM {table}
