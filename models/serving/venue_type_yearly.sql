-- Signals and cases per year x Polaris venue type (every combination, so a zero is a published zero), with
-- each venue type's sector. No totals: the sector-year totals are the sums of quarterly_by_sector, and this
-- table is protected as a satellite of them (published_tables.yaml, docs/disclosure-control.md).
WITH grid AS (
    SELECT DISTINCT calendar.year, venues.venue_code AS venue_type, venues.venue_name, venues.sector_code,
           venues.sector_name
    FROM intermediate.int_calendar_months AS calendar
    CROSS JOIN reference.industry_sectors AS venues
)
SELECT
    grid.year,
    grid.venue_type,
    grid.venue_name,
    grid.sector_code,
    grid.sector_name,
    (SELECT count(*) FROM intermediate.int_calendar_months AS c WHERE c.year = grid.year) AS months_loaded,
    CAST(coalesce(sum(m.signals), 0) AS BIGINT) AS signals,
    CAST(coalesce(sum(m.cases), 0) AS BIGINT) AS cases
FROM grid
LEFT JOIN marts.mart_monthly_signal_cells AS m
    ON CAST(year(m.month) AS INTEGER) = grid.year AND m.venue_type = grid.venue_type
GROUP BY ALL
ORDER BY grid.year, grid.sector_code, grid.venue_type
