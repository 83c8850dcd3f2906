-- Signals and cases per closed year x industry sector x trafficking type, with totals over sectors
-- (sector_code = 'all') and over types (trafficking_type = 'all'), every combination present. The year grain of
-- the sector and trafficking-type series: a panel shows it where the quarters or months do not hold up
-- (the release's `grain` table, dashboards/release/grain.py).
WITH grid AS (
    SELECT DISTINCT calendar.year, sectors.sector_code, types.code AS trafficking_type
    FROM intermediate.int_calendar_months AS calendar
    CROSS JOIN reference.industry_sectors AS sectors
    CROSS JOIN (SELECT code FROM reference.code_labels WHERE code_list = 'trafficking_type') AS types
),
cells AS (
    SELECT grid.year, grid.sector_code, grid.trafficking_type,
           coalesce(sum(m.signals), 0) AS signals, coalesce(sum(m.cases), 0) AS cases
    FROM grid
    LEFT JOIN marts.mart_monthly_signal_cells AS m
        ON year(m.month) = grid.year AND m.sector_code = grid.sector_code
       AND m.trafficking_type = grid.trafficking_type
    GROUP BY ALL
),
totals AS (
    SELECT year, coalesce(sector_code, 'all') AS sector_code, coalesce(trafficking_type, 'all') AS trafficking_type,
           sum(signals) AS signals, sum(cases) AS cases
    FROM cells
    GROUP BY GROUPING SETS ((year, sector_code, trafficking_type), (year, sector_code),
                            (year, trafficking_type), (year))
)
SELECT
    CAST(totals.year AS INTEGER) AS year,
    totals.sector_code,
    coalesce(sectors.sector_name, 'All sectors') AS sector_name,
    totals.trafficking_type,
    coalesce(types.label, 'All types') AS trafficking_type_label,
    (SELECT count(*) FROM intermediate.int_calendar_months AS c WHERE c.year = totals.year) AS months_loaded,
    CAST(totals.signals AS BIGINT) AS signals,
    CAST(totals.cases AS BIGINT) AS cases
FROM totals
LEFT JOIN (SELECT DISTINCT sector_code, sector_name FROM reference.industry_sectors) AS sectors USING (sector_code)
LEFT JOIN reference.code_labels AS types
    ON types.code_list = 'trafficking_type' AND types.code = totals.trafficking_type
ORDER BY totals.year, totals.sector_code, totals.trafficking_type
