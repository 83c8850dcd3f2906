-- Signals and cases per year x Polaris venue type, with each venue type's sector (venue type < sector is a
-- declared hierarchy), sector totals (venue_type = 'all') and the yearly total (both 'all'); every
-- combination present, so a zero is published as a zero.
WITH grid AS (
    SELECT DISTINCT calendar.year, venues.sector_code, venues.venue_code AS venue_type
    FROM intermediate.int_calendar_months AS calendar
    CROSS JOIN reference.industry_sectors AS venues
),
cells AS (
    SELECT grid.year, grid.sector_code, grid.venue_type,
           coalesce(sum(m.signals), 0) AS signals, coalesce(sum(m.cases), 0) AS cases
    FROM grid
    LEFT JOIN marts.mart_monthly_signal_cells AS m
        ON CAST(year(m.month) AS INTEGER) = grid.year AND m.venue_type = grid.venue_type
    GROUP BY ALL
),
totals AS (
    SELECT year, coalesce(sector_code, 'all') AS sector_code, coalesce(venue_type, 'all') AS venue_type,
           sum(signals) AS signals, sum(cases) AS cases
    FROM cells
    GROUP BY GROUPING SETS ((year, sector_code, venue_type), (year, sector_code), (year))
)
SELECT
    totals.year,
    totals.sector_code,
    coalesce(sectors.sector_name, 'All sectors') AS sector_name,
    totals.venue_type,
    coalesce(venues.venue_name, 'All venue types') AS venue_name,
    (SELECT count(*) FROM intermediate.int_calendar_months AS c WHERE c.year = totals.year) AS months_loaded,
    CAST(totals.signals AS BIGINT) AS signals,
    CAST(totals.cases AS BIGINT) AS cases
FROM totals
LEFT JOIN (SELECT DISTINCT sector_code, sector_name FROM reference.industry_sectors) AS sectors USING (sector_code)
LEFT JOIN reference.industry_sectors AS venues ON venues.venue_code = totals.venue_type
ORDER BY totals.year, totals.sector_code, totals.venue_type
