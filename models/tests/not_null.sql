-- Declared test `not_null`: rows where the column is missing.
SELECT count(*) AS failures FROM {model} WHERE {column} IS NULL
