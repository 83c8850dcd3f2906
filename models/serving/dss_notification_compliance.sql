-- Missouri § 566.223 compliance, per year of first encounter x person group (minor, adult, unknown, 'all'):
-- the people law enforcement met who reasonably appeared to be trafficking victims (the denominator: every
-- encounter, notified or not), how many were notified to the Department of Social Services within 1 and
-- within 3 days, how many have no DSS notification on record, and the median delay of those notified; for
-- minors the same for the juvenile office (0 for adults: the duty applies to minors only). Linkage coverage:
-- the notifications law enforcement made about people met in the year, and how many found their encounter.
WITH groups AS (
    SELECT DISTINCT years.year, g.person_group
    FROM (SELECT DISTINCT year FROM intermediate.int_calendar_months) AS years
    CROSS JOIN (VALUES ('minor'), ('adult'), ('unknown')) AS g(person_group)
),
people AS (
    SELECT
        groups.year,
        coalesce(groups.person_group, 'all') AS person_group,
        count(p.encounter_date) AS encounters,
        count(p.dss_notification_date) AS dss_notified,
        count(p.encounter_date) FILTER (WHERE p.dss_delay_days <= 1) AS dss_within_1_day,
        count(p.encounter_date) FILTER (WHERE p.dss_delay_days <= 3) AS dss_within_3_days,
        count(p.encounter_date) - count(p.dss_notification_date) AS dss_never_notified,
        median(p.dss_delay_days) AS median_dss_delay_days,
        count(p.juvenile_notification_date) AS juvenile_notified,
        count(p.encounter_date) FILTER (WHERE p.juvenile_delay_days <= 1) AS juvenile_within_1_day,
        count(p.encounter_date) FILTER (WHERE p.juvenile_delay_days <= 3) AS juvenile_within_3_days,
        count(p.encounter_date) FILTER (WHERE p.person_group = 'minor') - count(p.juvenile_notification_date)
            AS juvenile_never_notified,
        median(p.juvenile_delay_days) AS median_juvenile_delay_days
    FROM groups
    LEFT JOIN marts.mart_566_223_encounters AS p ON p.year = groups.year AND p.person_group = groups.person_group
    GROUP BY GROUPING SETS ((groups.year, groups.person_group), (groups.year))
),
notices AS (
    SELECT year, coalesce(person_group, 'all') AS person_group, count(*) AS notifications,
           count(*) FILTER (WHERE linked) AS linked
    FROM marts.mart_566_223_notifications
    GROUP BY GROUPING SETS ((year, person_group), (year))
)
SELECT
    people.year,
    people.person_group,
    CAST(people.encounters AS BIGINT) AS encounters,
    CAST(people.dss_notified AS BIGINT) AS dss_notified,
    CAST(people.dss_within_1_day AS BIGINT) AS dss_within_1_day,
    CAST(people.dss_within_3_days AS BIGINT) AS dss_within_3_days,
    CAST(people.dss_never_notified AS BIGINT) AS dss_never_notified,
    CAST(people.median_dss_delay_days AS DOUBLE) AS median_dss_delay_days,
    CAST(people.juvenile_notified AS BIGINT) AS juvenile_notified,
    CAST(people.juvenile_within_1_day AS BIGINT) AS juvenile_within_1_day,
    CAST(people.juvenile_within_3_days AS BIGINT) AS juvenile_within_3_days,
    CAST(people.juvenile_never_notified AS BIGINT) AS juvenile_never_notified,
    CAST(people.median_juvenile_delay_days AS DOUBLE) AS median_juvenile_delay_days,
    CAST(coalesce(notices.notifications, 0) AS BIGINT) AS notifications_on_record,
    CAST(coalesce(notices.linked, 0) AS BIGINT) AS notifications_linked
FROM people
LEFT JOIN notices USING (year, person_group)
ORDER BY people.year, people.person_group
