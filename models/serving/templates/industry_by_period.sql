-- Template of industry_quarterly and yearly_industry (published_tables.yaml `template:`): signals and cases per
-- {{period}} x industry sector x trafficking type, with totals over sectors (sector_code = 'all') and over types
-- (trafficking_type = 'all'), every combination present. The year is the grain a panel shows where quarters do
-- not hold up (the release's `grain` table, dashboards/release/grain.py).
WITH grid AS (
    SELECT DISTINCT calendar.{{period}}, sectors.sector_code, types.code AS trafficking_type
    FROM intermediate.int_calendar_months AS calendar
    CROSS JOIN reference.industry_sectors AS sectors
    CROSS JOIN (SELECT code FROM reference.code_labels WHERE code_list = 'trafficking_type') AS types
),
cells AS (
    SELECT grid.{{period}}, grid.sector_code, grid.trafficking_type,
           coalesce(sum(m.signals), 0) AS signals, coalesce(sum(m.cases), 0) AS cases
    FROM grid
    LEFT JOIN marts.mart_monthly_signal_cells AS m
        ON {{period_of_month}} = grid.{{period}} AND m.sector_code = grid.sector_code
       AND m.trafficking_type = grid.trafficking_type
    GROUP BY ALL
),
totals AS (
    SELECT {{period}}, coalesce(sector_code, 'all') AS sector_code, coalesce(trafficking_type, 'all') AS trafficking_type,
           sum(signals) AS signals, sum(cases) AS cases
    FROM cells
    GROUP BY GROUPING SETS (({{period}}, sector_code, trafficking_type), ({{period}}, sector_code),
                            ({{period}}, trafficking_type), ({{period}}))
)
SELECT
    {{period_columns}},
    totals.sector_code,
    coalesce(sectors.sector_name, 'All sectors') AS sector_name,
    totals.trafficking_type,
    coalesce(types.label, 'All types') AS trafficking_type_label,
    (SELECT count(*) FROM intermediate.int_calendar_months AS c WHERE c.{{period}} = totals.{{period}}) AS months_loaded,
    CAST(totals.signals AS BIGINT) AS signals,
    CAST(totals.cases AS BIGINT) AS cases
FROM totals
LEFT JOIN (SELECT DISTINCT sector_code, sector_name FROM reference.industry_sectors) AS sectors USING (sector_code)
LEFT JOIN reference.code_labels AS types
    ON types.code_list = 'trafficking_type' AND types.code = totals.trafficking_type
ORDER BY totals.{{period}}, totals.sector_code, totals.trafficking_type
