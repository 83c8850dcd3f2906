-- Files of one public context feed whose rows loaded + quarantined are not the rows read, or whose raw
-- table and raw.quarantine do not hold exactly those rows (loaded_by_file: loaded_by_file.sql of its table).
WITH loaded AS ({loaded_by_file}),
quarantined AS (SELECT file_name, file_hash, count(*) AS n FROM raw.quarantine WHERE feed = ? GROUP BY ALL)
SELECT m.file_name, m.rows_read, m.rows_loaded, m.rows_quarantined,
       coalesce(l.n, 0) AS in_raw, coalesce(q.n, 0) AS in_quarantine
FROM raw.file_manifest AS m
LEFT JOIN loaded AS l USING (file_name, file_hash)
LEFT JOIN quarantined AS q USING (file_name, file_hash)
WHERE m.feed = ? AND (m.rows_loaded + m.rows_quarantined <> m.rows_read
   OR coalesce(l.n, 0) <> m.rows_loaded OR coalesce(q.n, 0) <> m.rows_quarantined)
