-- Missouri § 566.223 compliance, per year of first encounter x person group (minor, adult, unknown, 'all'):
-- the people law enforcement met who reasonably appeared to be trafficking victims (the denominator: every
-- encounter, notified or not), how many were notified to the Department of Social Services within 1 and
-- within 3 days, how many have no DSS notification on record, and the median delay of those notified; for
-- minors the same for the juvenile office (0 for adults: the duty applies to minors only).
WITH people AS (
    SELECT * FROM marts.mart_566_223_encounters
),
groups AS (
    SELECT DISTINCT years.year, g.person_group
    FROM (SELECT DISTINCT year FROM intermediate.int_calendar_months) AS years
    CROSS JOIN (VALUES ('minor'), ('adult'), ('unknown')) AS g(person_group)
)
SELECT
    groups.year,
    coalesce(groups.person_group, 'all') AS person_group,
    CAST(count(p.event_id) AS BIGINT) AS encounters,
    CAST(count(p.dss_notification_date) AS BIGINT) AS dss_notified,
    CAST(count(*) FILTER (WHERE p.dss_delay_days <= 1) AS BIGINT) AS dss_within_1_day,
    CAST(count(*) FILTER (WHERE p.dss_delay_days <= 3) AS BIGINT) AS dss_within_3_days,
    CAST(count(p.event_id) - count(p.dss_notification_date) AS BIGINT) AS dss_never_notified,
    CAST(median(p.dss_delay_days) AS DOUBLE) AS median_dss_delay_days,
    CAST(count(p.juvenile_notification_date) AS BIGINT) AS juvenile_notified,
    CAST(count(*) FILTER (WHERE p.juvenile_delay_days <= 1) AS BIGINT) AS juvenile_within_1_day,
    CAST(count(*) FILTER (WHERE p.juvenile_delay_days <= 3) AS BIGINT) AS juvenile_within_3_days,
    CAST(count(p.event_id) FILTER (WHERE p.person_group = 'minor') - count(p.juvenile_notification_date) AS BIGINT)
        AS juvenile_never_notified,
    CAST(median(p.juvenile_delay_days) AS DOUBLE) AS median_juvenile_delay_days
FROM groups
LEFT JOIN people AS p ON p.year = groups.year AND p.person_group = groups.person_group
GROUP BY GROUPING SETS ((groups.year, groups.person_group), (groups.year))
ORDER BY groups.year, person_group
