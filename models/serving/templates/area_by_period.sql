-- Template of area_monthly, area_quarterly and area_yearly (published_tables.yaml `template:`), {{period}} being
-- month, quarter (its first day) or year: signals, cases, people and minors in cases per {{period}} for every
-- county, region (county = 'all') and the state (region = county = 'all'), with population and how many months
-- of the period are loaded.
WITH totals AS (
    SELECT
        {{period}},
        coalesce(region, 'all') AS region,
        coalesce(county, 'all') AS county,
        sum(population) / count(DISTINCT month) AS population,  -- each month repeats every county
        count(DISTINCT month) AS months_loaded,
        sum(signals) AS signals,
        sum(cases) AS cases,
        sum(people_in_cases) AS people_in_cases,
        sum(minors_in_cases) AS minors_in_cases
    FROM marts.mart_area_month_grid
    GROUP BY GROUPING SETS (({{period}}, region, county), ({{period}}, region), ({{period}}))
)
SELECT
    totals.{{period}},
    totals.region,
    totals.county,
    labels.area_level,
    labels.area_name,
    CAST(totals.population AS BIGINT) AS population,
    CAST(totals.months_loaded AS INTEGER) AS months_loaded,
    CAST(totals.signals AS BIGINT) AS signals,
    CAST(totals.cases AS BIGINT) AS cases,
    CAST(totals.people_in_cases AS BIGINT) AS people_in_cases,
    CAST(totals.minors_in_cases AS BIGINT) AS minors_in_cases
FROM totals
JOIN intermediate.int_area_labels AS labels USING (region, county)
ORDER BY totals.{{period}}, labels.area_level DESC, totals.region, totals.county
