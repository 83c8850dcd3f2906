-- Clearance rate = cleared / actual offenses. It can exceed 1: a clearance can concern an earlier year's
-- offense. NULL when there is no offense (and, by the catalog's built_on, when either count is suppressed).
SELECT *, CASE WHEN actual_offenses > 0 THEN cleared * 1.0 / actual_offenses END AS clearance_rate
FROM context_fbi_region_yearly
ORDER BY year, region, offense
