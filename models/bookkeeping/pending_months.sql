-- Months whose raw rows include one loaded after the month was last modelled: the partitions to recompute.
-- {raw_event_months} is one (month, _loaded_at) row per raw row of every feed.
SELECT strftime(raw_rows.month, '%Y-%m-01') AS month
FROM ({raw_event_months}) AS raw_rows
LEFT JOIN meta.modelled_months AS modelled USING (month)
GROUP BY raw_rows.month, modelled.loaded_through
HAVING max(raw_rows._loaded_at) > coalesce(modelled.loaded_through, TIMESTAMP '-infinity')
ORDER BY raw_rows.month
