-- Statewide signals and cases for the briefing quarter and the 7 complete quarters before it.
SELECT quarter, signals, signals_suppressed, cases, cases_suppressed
FROM area_quarterly
WHERE area_level = 'state' AND months_loaded = 3 AND quarter <= $quarter AND quarter > $quarter - INTERVAL 2 YEAR
ORDER BY quarter
