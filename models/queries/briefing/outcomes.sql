-- Statewide justice outcomes: the briefing quarter, the quarter before and the same quarter a year earlier.
SELECT * FROM outcomes_quarterly
WHERE region = 'all' AND quarter IN ($quarter, $quarter - INTERVAL 3 MONTH, $quarter - INTERVAL 1 YEAR)
ORDER BY quarter DESC
