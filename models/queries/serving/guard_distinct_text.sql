SELECT DISTINCT {column} FROM {table} WHERE {column} IS NOT NULL
