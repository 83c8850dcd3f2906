-- The same sectors a year earlier, for the comparison chart.
SELECT sector_code, sector_name, signals, signals_suppressed FROM industry_quarterly
WHERE quarter = $quarter - INTERVAL 1 YEAR AND trafficking_type = 'all' AND sector_code <> 'all'
