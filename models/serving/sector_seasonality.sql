-- Signals per industry sector x calendar month of the year (1-12), summed over every loaded year, with the
-- all-sector total (sector_code = 'all'); every combination present. months_loaded: how many months of
-- the publication period fall on that month of the year (the seasonality profile divides by it).
WITH calendar AS (
    SELECT CAST(month(month) AS INTEGER) AS month_of_year, count(*) AS months_loaded
    FROM intermediate.int_calendar_months
    GROUP BY ALL
),
grid AS (
    SELECT calendar.month_of_year, calendar.months_loaded, sectors.sector_code
    FROM calendar
    CROSS JOIN (SELECT DISTINCT sector_code FROM reference.industry_sectors) AS sectors
),
cells AS (
    SELECT grid.month_of_year, grid.months_loaded, grid.sector_code, coalesce(sum(m.signals), 0) AS signals
    FROM grid
    LEFT JOIN marts.mart_monthly_signals AS m
        ON m.sector_code = grid.sector_code AND CAST(month(m.month) AS INTEGER) = grid.month_of_year
       AND m.month IN (SELECT month FROM intermediate.int_calendar_months)
    GROUP BY ALL
),
totals AS (
    SELECT month_of_year, any_value(months_loaded) AS months_loaded, coalesce(sector_code, 'all') AS sector_code,
           sum(signals) AS signals
    FROM cells
    GROUP BY GROUPING SETS ((month_of_year, sector_code), (month_of_year))
)
SELECT
    totals.sector_code,
    coalesce(sectors.sector_name, 'All sectors') AS sector_name,
    totals.month_of_year,
    CAST(totals.months_loaded AS INTEGER) AS months_loaded,
    CAST(totals.signals AS BIGINT) AS signals
FROM totals
LEFT JOIN (SELECT DISTINCT sector_code, sector_name FROM reference.industry_sectors) AS sectors USING (sector_code)
ORDER BY totals.sector_code, totals.month_of_year
