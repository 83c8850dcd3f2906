-- Declared test `accepted_values`: rows whose value is none of the code list's codes (or the listed values).
SELECT count(*) AS failures FROM {model}
WHERE {column} IS NOT NULL AND CAST({column} AS VARCHAR) NOT IN (SELECT unnest(CAST($values AS VARCHAR[])))
