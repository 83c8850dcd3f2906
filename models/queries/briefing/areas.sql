-- Statewide and regional rows of the briefing quarter: counts, rates and their changes (columns named by
-- the metric catalog, picked in Python).
SELECT * FROM area_quarterly
WHERE quarter = $quarter AND area_level IN ('state', 'region')
ORDER BY area_level DESC, area_name
