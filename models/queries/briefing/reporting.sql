-- Which agency sent a file (loaded, even when every row was quarantined) for which feed and month of the quarter.
-- run_inputs carries no counts: it is the release's file list (models/serving/run_inputs.sql).
SELECT DISTINCT agency, org_name, feed, period
FROM run_inputs
WHERE file_status = 'loaded'
  AND period BETWEEN strftime($quarter, '%Y-%m') AND strftime(CAST($quarter AS DATE) + INTERVAL 2 MONTH, '%Y-%m')
ORDER BY agency, feed, period
