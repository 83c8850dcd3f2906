-- For each row of one file ($file_name, $file_hash) that replaced an earlier version of its record: the row
-- and the version just before it, as JSON objects of their contract columns ({columns}), for the agency
-- report. {raw_table} and {key_match} are filled from the contract.
SELECT n._row_number AS row_number, to_json(struct_pack({new_columns}))::VARCHAR AS new_version,
       arg_max(to_json(struct_pack({old_columns}))::VARCHAR, (r._loaded_at, r._file_name, r._row_number)) AS old_version,
       arg_max(r._file_name, (r._loaded_at, r._file_name, r._row_number)) AS old_file,
       arg_max(r._row_number, (r._loaded_at, r._file_name, r._row_number)) AS old_row
FROM {raw_table} AS n
JOIN {raw_table} AS r ON n._agency = r._agency AND {key_match}
WHERE n._file_name = $file_name AND n._file_hash = $file_hash
  AND (r._loaded_at, r._file_name, r._row_number) < (n._loaded_at, n._file_name, n._row_number)
GROUP BY n._row_number, new_version
ORDER BY n._row_number
