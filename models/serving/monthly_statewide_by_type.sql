-- Statewide signals and cases per month and trafficking type, every month present.
WITH grid AS (
    SELECT calendar.month, types.code AS trafficking_type, types.label AS trafficking_type_label
    FROM intermediate.int_calendar_months AS calendar
    CROSS JOIN (SELECT code, label FROM reference.code_labels WHERE code_list = 'trafficking_type') AS types
)
SELECT
    grid.month,
    grid.trafficking_type,
    grid.trafficking_type_label,
    coalesce(sum(m.signals), 0) AS signals,
    coalesce(sum(m.cases), 0) AS cases
FROM grid
LEFT JOIN marts.mart_monthly_signals AS m USING (month, trafficking_type)
GROUP BY ALL
ORDER BY grid.month, grid.trafficking_type
