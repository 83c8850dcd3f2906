-- Per file of the batch: how many of its loaded rows replaced an earlier version of their record
-- (corrections) and how many withdrew one. {raw_table} and {key_match} are filled from the contract.
SELECT n._file_name AS file_name,
       count(DISTINCT n._row_number) FILTER (WHERE n.record_action IS DISTINCT FROM 'withdraw') AS corrected,
       count(DISTINCT n._row_number) FILTER (WHERE n.record_action = 'withdraw') AS withdrawn
FROM {raw_table} AS n
JOIN {raw_table} AS r ON n._agency = r._agency AND {key_match}
WHERE (n._file_name, n._file_hash) IN (SELECT (file_name, file_hash) FROM lantern_batch_files)
  AND r._superseded_at IS NOT NULL AND (r._file_name, r._row_number) <> (n._file_name, n._row_number)
  AND (r._loaded_at, r._file_name, r._row_number) < (n._loaded_at, n._file_name, n._row_number)
GROUP BY ALL
