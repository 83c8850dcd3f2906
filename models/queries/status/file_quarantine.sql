-- `lantern status --file NAME`: the file's quarantined rows (row_number NULL: the whole file).
SELECT row_number, column_name, rule, message FROM raw.quarantine WHERE file_name = ? ORDER BY row_number
