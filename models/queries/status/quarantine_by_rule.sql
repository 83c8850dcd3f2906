-- `lantern status`: quarantined rows per feed and rule.
SELECT feed, rule, count(*) AS rows FROM raw.quarantine GROUP BY ALL ORDER BY ALL
