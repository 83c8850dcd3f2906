-- Signals and cases per quarter x industry sector x trafficking type, with totals over sectors
-- (sector_code = 'all') and over types (trafficking_type = 'all'), every combination present.
WITH grid AS (
    SELECT DISTINCT calendar.quarter, sectors.sector_code, types.code AS trafficking_type
    FROM intermediate.int_calendar_months AS calendar
    CROSS JOIN reference.industry_sectors AS sectors
    CROSS JOIN (SELECT code FROM reference.code_labels WHERE code_list = 'trafficking_type') AS types
),
cells AS (
    SELECT grid.quarter, grid.sector_code, grid.trafficking_type,
           coalesce(sum(m.signals), 0) AS signals, coalesce(sum(m.cases), 0) AS cases
    FROM grid
    LEFT JOIN marts.mart_monthly_signal_cells AS m
        ON quarter_start(m.month) = grid.quarter AND m.sector_code = grid.sector_code
       AND m.trafficking_type = grid.trafficking_type
    GROUP BY ALL
),
totals AS (
    SELECT quarter, coalesce(sector_code, 'all') AS sector_code, coalesce(trafficking_type, 'all') AS trafficking_type,
           sum(signals) AS signals, sum(cases) AS cases
    FROM cells
    GROUP BY GROUPING SETS ((quarter, sector_code, trafficking_type), (quarter, sector_code),
                            (quarter, trafficking_type), (quarter))
)
SELECT
    totals.quarter,
    quarter_label(totals.quarter) AS quarter_label,
    totals.sector_code,
    coalesce(sectors.sector_name, 'All sectors') AS sector_name,
    totals.trafficking_type,
    coalesce(types.label, 'All types') AS trafficking_type_label,
    (SELECT count(*) FROM intermediate.int_calendar_months AS c WHERE c.quarter = totals.quarter) AS months_loaded,
    CAST(totals.signals AS BIGINT) AS signals,
    CAST(totals.cases AS BIGINT) AS cases
FROM totals
LEFT JOIN (SELECT DISTINCT sector_code, sector_name FROM reference.industry_sectors) AS sectors USING (sector_code)
LEFT JOIN reference.code_labels AS types
    ON types.code_list = 'trafficking_type' AND types.code = totals.trafficking_type
ORDER BY totals.quarter, totals.sector_code, totals.trafficking_type
