-- Sectors ranked by the change of their last four complete quarters on the four before.
SELECT * FROM rising_industries ORDER BY rise_rank NULLS LAST, sector_name
