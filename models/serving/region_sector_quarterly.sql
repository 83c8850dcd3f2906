-- Signals per quarter x region x industry sector: the cells the emerging-hotspot test watches.
WITH grid AS (
    SELECT DISTINCT calendar.quarter, regions.region, regions.region_label, sectors.sector_code, sectors.sector_name
    FROM intermediate.int_calendar_months AS calendar
    CROSS JOIN (SELECT region, region_label FROM intermediate.int_region_population
                UNION ALL SELECT 'unknown', 'County not reported') AS regions
    CROSS JOIN (SELECT DISTINCT sector_code, sector_name FROM reference.industry_sectors) AS sectors
)
SELECT
    grid.quarter,
    quarter_label(grid.quarter) AS quarter_label,
    grid.region,
    grid.region_label,
    grid.sector_code,
    grid.sector_name,
    CAST(coalesce(sum(m.signals), 0) AS BIGINT) AS signals
FROM grid
LEFT JOIN marts.mart_monthly_signal_cells AS m
    ON quarter_start(m.month) = grid.quarter AND m.region = grid.region AND m.sector_code = grid.sector_code
GROUP BY ALL
ORDER BY grid.quarter, grid.region, grid.sector_code
