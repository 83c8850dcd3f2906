-- `lantern status --file NAME`: every time the file was processed.
SELECT status, rows_read, rows_loaded, rows_quarantined, message, processed_at
FROM raw.file_manifest
WHERE file_name = ?
ORDER BY processed_at
