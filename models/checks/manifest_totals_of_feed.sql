-- Files and rows read of one feed in raw.file_manifest (a context accounting check's metadata).
SELECT count(*), coalesce(sum(rows_read), 0) FROM raw.file_manifest WHERE feed = ?
