-- Signals and cases per quarter and industry sector, every quarter present.
WITH quarters AS (
    SELECT DISTINCT quarter, quarter_label FROM intermediate.int_calendar_months
),
sectors AS (
    SELECT DISTINCT sector_code, sector_name FROM reference.industry_sectors
),
grid AS (
    SELECT quarters.quarter, quarters.quarter_label, sectors.sector_code, sectors.sector_name
    FROM quarters CROSS JOIN sectors
)
SELECT
    grid.quarter,
    grid.quarter_label,
    grid.sector_code,
    grid.sector_name,
    coalesce(sum(m.signals), 0) AS signals,
    coalesce(sum(m.cases), 0) AS cases
FROM grid
LEFT JOIN marts.mart_monthly_signals AS m
    ON m.sector_code = grid.sector_code AND quarter_start(m.month) = grid.quarter
GROUP BY ALL
ORDER BY grid.quarter, grid.sector_code
