SELECT file_number, feed, agency, org_name, period, file_format, file_sha256, file_status, ingested_by_run, processed_at
FROM run_inputs
ORDER BY feed, org_name, period, file_number
