-- `lantern status`: public context files only partly loaded, oldest first.
SELECT file_name, rows_quarantined, rows_read FROM raw.file_manifest WHERE status = 'partial' ORDER BY processed_at
