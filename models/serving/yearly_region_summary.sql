-- Signals and cases per year and region, with the region's 2020 population for rates.
WITH grid AS (
    SELECT years.year, regions.region, regions.region_label, regions.population
    FROM (SELECT DISTINCT year FROM intermediate.int_calendar_months) AS years
    CROSS JOIN (
        SELECT region, region_label, population FROM intermediate.int_region_population
        UNION ALL SELECT 'unknown', 'County not reported', NULL
    ) AS regions
)
SELECT
    grid.year,
    grid.region,
    grid.region_label,
    grid.population,
    coalesce(sum(m.signals), 0) AS signals,
    coalesce(sum(m.cases), 0) AS cases
FROM grid
LEFT JOIN marts.mart_monthly_signals AS m
    ON m.region = grid.region AND CAST(year(m.month) AS INTEGER) = grid.year
GROUP BY ALL
ORDER BY grid.year, grid.region
