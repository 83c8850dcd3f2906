-- Quarantined rows of one file per rule (what an alert about the file says).
SELECT rule, count(*) FROM raw.quarantine WHERE file_name = ? AND file_hash = ? GROUP BY rule
