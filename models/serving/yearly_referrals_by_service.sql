-- Referrals per year by service asked for, over all organisation types (and all services, service = 'all'):
-- the margin of referral_flows_by_service that a reader can follow where the flows between organisation
-- types are too small to show (dashboards/release/panels.yaml). Every service of the code list has a row in
-- every year of the calendar, zeros included; `months_loaded` says whether the year is whole (the first year of
-- the data may not be).
WITH services AS (
    SELECT code AS service, label AS service_label FROM reference.code_labels WHERE code_list = 'service'
),
grid AS (
    SELECT DISTINCT CAST(calendar.year AS INTEGER) AS year, services.service
    FROM intermediate.int_calendar_months AS calendar CROSS JOIN services
),
counts AS (
    SELECT
        grid.year,
        coalesce(grid.service, 'all') AS service,
        CAST(coalesce(sum(m.referrals), 0) AS BIGINT) AS referrals
    FROM grid
    LEFT JOIN marts.mart_monthly_referrals AS m
        ON CAST(year(m.month) AS INTEGER) = grid.year AND m.service = grid.service
    GROUP BY GROUPING SETS ((grid.year, grid.service), (grid.year))
)
SELECT
    counts.year,
    counts.service,
    coalesce(services.service_label, 'All services') AS service_label,
    counts.referrals,
    (SELECT count(*) FROM intermediate.int_calendar_months AS c WHERE c.year = counts.year) AS months_loaded
FROM counts
LEFT JOIN services ON services.service = counts.service
ORDER BY counts.year, counts.service = 'all', counts.service
