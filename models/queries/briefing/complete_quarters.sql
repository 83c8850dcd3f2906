-- Complete quarters (all 3 months loaded) in the serving database, newest first.
SELECT DISTINCT quarter FROM area_quarterly WHERE area_level = 'state' AND months_loaded = 3 ORDER BY quarter DESC
