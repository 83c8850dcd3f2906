-- Every month x county (plus county 'unknown' for signals without one) with its signal counts, zeros
-- included, so area tables at every grain are complete grids (a month with no signals shows 0).
WITH places AS (
    SELECT fips AS county, region, population_2020 AS population FROM reference.counties
    UNION ALL SELECT 'unknown', 'unknown', NULL
),
cells AS (
    SELECT month, county, sum(signals) AS signals, sum(cases) AS cases,
           sum(people_in_cases) AS people_in_cases, sum(minors_in_cases) AS minors_in_cases
    FROM marts.mart_monthly_signal_cells
    GROUP BY ALL
)
SELECT
    calendar.month,
    calendar.quarter,
    calendar.year,
    places.region,
    places.county,
    places.population,
    CAST(coalesce(cells.signals, 0) AS BIGINT) AS signals,
    CAST(coalesce(cells.cases, 0) AS BIGINT) AS cases,
    CAST(coalesce(cells.people_in_cases, 0) AS BIGINT) AS people_in_cases,
    CAST(coalesce(cells.minors_in_cases, 0) AS BIGINT) AS minors_in_cases
FROM intermediate.int_calendar_months AS calendar
CROSS JOIN places
LEFT JOIN cells ON cells.month = calendar.month AND cells.county = places.county
