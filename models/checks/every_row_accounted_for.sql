-- Files whose rows are not all accounted for: per agency file in raw.file_manifest, rows loaded + rows
-- quarantined must equal rows read, and raw.<feed> and raw.quarantine must hold exactly those rows. A file
-- that could not be read is held whole: one quarantine entry and nothing loaded. Filled in by the check:
-- loaded_by_file (one count per file of each feed table) and context_feeds (public files: their own check).
WITH loaded AS ({loaded_by_file}),
quarantined AS (SELECT file_name, file_hash, count(*) AS n FROM raw.quarantine GROUP BY ALL)
SELECT m.file_name, m.rows_read, m.rows_loaded, m.rows_quarantined,
       coalesce(l.n, 0) AS in_raw, coalesce(q.n, 0) AS in_quarantine
FROM raw.file_manifest AS m
LEFT JOIN (SELECT file_name, file_hash, sum(n) AS n FROM loaded GROUP BY ALL) AS l USING (file_name, file_hash)
LEFT JOIN quarantined AS q USING (file_name, file_hash)
WHERE coalesce(m.feed, '') NOT IN ({context_feeds})
  AND CASE WHEN m.rows_read IS NULL
           THEN m.rows_loaded <> 0 OR coalesce(l.n, 0) <> 0 OR coalesce(q.n, 0) <> 1
           ELSE m.rows_loaded + m.rows_quarantined <> m.rows_read
                OR coalesce(l.n, 0) <> m.rows_loaded
                OR coalesce(q.n, 0) <> m.rows_quarantined END
