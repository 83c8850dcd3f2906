-- `lantern status`: files and rows per feed and status.
SELECT feed, status, count(*) AS files, sum(rows_read) AS rows_read, sum(rows_loaded) AS rows_loaded,
       sum(rows_quarantined) AS rows_quarantined
FROM raw.file_manifest
GROUP BY ALL
ORDER BY ALL
