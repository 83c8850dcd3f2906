-- Missouri § 566.223: as soon as possible after first meeting a person who reasonably appears to be a
-- trafficking victim, law enforcement must notify the Department of Social Services, and the juvenile
-- authorities where applicable. One row per person law enforcement met (case-outcome event
-- victim_encountered sent by a law-enforcement agency), adults and minors alike: the denominator. Linked to
-- it, law enforcement's notifications about that person: of DSS (service child_welfare_notification, to the
-- Children's Division) and of the juvenile office (juvenile_office_notification, minors), each with its
-- delay in days; NULL = no notification on record.
-- Linkage: a notification carries the situation (linked across agencies), the encounter date and the minor flag; encounters
-- and notifications with the same three are paired in order (the first notification with the first
-- encounter, ...), so two people met together are two encounters and need two notifications. How many
-- notifications found their encounter: marts.mart_566_223_notifications.
WITH encounters AS (
    SELECT * FROM intermediate.int_566_223_encounters
),
notifications AS (
    SELECT * FROM intermediate.int_566_223_notifications
)
SELECT
    e.encounter_date,
    e.year,
    CASE WHEN e.minor THEN 'minor' WHEN NOT e.minor THEN 'adult' ELSE 'unknown' END AS person_group,
    e.region,
    e.reporting_org_type,
    dss.referral_date AS dss_notification_date,
    date_diff('day', e.encounter_date, dss.referral_date) AS dss_delay_days,
    juvenile.referral_date AS juvenile_notification_date,
    date_diff('day', e.encounter_date, juvenile.referral_date) AS juvenile_delay_days
FROM encounters AS e
LEFT JOIN notifications AS dss
    ON dss.service = 'child_welfare_notification' AND dss.situation_id = e.situation_id
   AND dss.encounter_date = e.encounter_date AND dss.minor IS NOT DISTINCT FROM e.minor
   AND dss.person_rank = e.person_rank
LEFT JOIN notifications AS juvenile
    ON juvenile.service = 'juvenile_office_notification' AND juvenile.situation_id = e.situation_id
   AND juvenile.encounter_date = e.encounter_date AND e.minor AND juvenile.minor
   AND juvenile.person_rank = e.person_rank
