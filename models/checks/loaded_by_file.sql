-- Rows of one raw table per file (name and content hash).
SELECT _file_name AS file_name, _file_hash AS file_hash, count(*) AS n FROM {table} GROUP BY ALL
