-- FBI-reported human-trafficking offenses (actual) and clearances in the deployment's state, per FBI data
-- year x region x offense, as a complete grid (explicit zeros) with region = 'all' (statewide, including
-- 'unallocated': statewide agencies and agencies with no recognised county) and offense = 'all' margins.
-- A cell with no reporting agency is 0 with reported = false: no agency reported, which is not zero
-- offenses. Agencies spanning counties count in their first listed county's region (docs/public-context.md).
-- rows_quarantined = true where rows of the file standing for the year were quarantined in that region: the
-- cell is then incomplete, and with reported = false it reads "rows quarantined", not "no agency reported".
WITH years AS (
    SELECT DISTINCT year FROM marts.mart_context_fbi_region_year
    UNION SELECT DISTINCT year FROM marts.mart_context_fbi_quarantined_region_year
),
regions AS (
    SELECT region, region_label FROM intermediate.int_region_population
    UNION ALL SELECT 'unallocated', 'Statewide / unallocated'
),
offenses AS (
    SELECT DISTINCT offense_code AS offense FROM reference.context_offense_subcategories
),
cells AS (
    SELECT
        years.year, regions.region, regions.region_label, offenses.offense,
        coalesce(f.agencies_reporting, 0) > 0 AS reported,
        coalesce(f.actual_offenses, 0) AS actual_offenses,
        coalesce(f.cleared, 0) AS cleared,
        coalesce(q.rows_quarantined, 0) > 0 AS rows_quarantined
    FROM years
    CROSS JOIN regions
    CROSS JOIN offenses
    LEFT JOIN marts.mart_context_fbi_region_year AS f
        ON f.year = years.year AND f.region = regions.region AND f.offense = offenses.offense
    -- the offense of a refused row may not be readable: its region's cells of every offense are marked
    LEFT JOIN marts.mart_context_fbi_quarantined_region_year AS q
        ON q.year = years.year AND q.region = regions.region
)
SELECT
    CAST(year AS INTEGER) AS year,
    coalesce(region, 'all') AS region,
    CASE WHEN region IS NULL THEN 'Statewide' ELSE any_value(region_label) END AS region_label,
    coalesce(offense, 'all') AS offense,
    CASE coalesce(offense, 'all')
        WHEN 'commercial_sex_acts' THEN 'Commercial sex acts'
        WHEN 'involuntary_servitude' THEN 'Involuntary servitude'
        WHEN 'all' THEN 'All human-trafficking offenses'
        ELSE coalesce(offense, 'all')
    END AS offense_label,
    bool_or(reported) AS reported,
    bool_or(rows_quarantined) AS rows_quarantined,
    CAST(sum(actual_offenses) AS BIGINT) AS actual_offenses,
    CAST(sum(cleared) AS BIGINT) AS cleared
FROM cells
GROUP BY GROUPING SETS ((year, region, offense), (year, region), (year, offense), (year))
ORDER BY year, region, offense
