-- After the models of months [$start, $end) succeeded: every raw row of those months loaded before the
-- models run started is in them (ingest stamps _loaded_at while it holds the writer lock, so such a row
-- was committed before the run's first model could read), so record the newest such load per month.
INSERT OR REPLACE INTO meta.modelled_months
SELECT month, max(_loaded_at) AS loaded_through
FROM ({raw_event_months})
WHERE month >= $start AND month < $end AND _loaded_at < $run_started
GROUP BY month
