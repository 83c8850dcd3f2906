-- Records waiting for a revision: loaded after the release that first covered their month was cut, so no
-- release shows them yet (internal: for operators and analysts, never published).
SELECT '{table}' AS feed, CAST(date_trunc('month', src.{event_date}) AS DATE) AS month, count(*) AS records
FROM raw.{table} AS src
JOIN release_freeze AS win
  ON CAST(date_trunc('month', src.{event_date}) AS DATE) BETWEEN win.first_month AND win.last_month
WHERE src._loaded_at > win.snapshot_at
GROUP BY ALL
