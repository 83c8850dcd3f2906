-- Statewide justice and victim-service outcomes, the last eight quarters, newest first.
SELECT * FROM outcomes_quarterly
WHERE region = 'all'
ORDER BY quarter DESC
LIMIT 8
