-- Files and rows read in raw.file_manifest (the row-accounting check's metadata).
SELECT count(*), coalesce(sum(rows_read), 0) FROM raw.file_manifest
