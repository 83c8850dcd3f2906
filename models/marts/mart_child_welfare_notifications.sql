-- Missouri § 566.223: one row per notification of the Children's Division (service
-- child_welfare_notification, to a child_welfare organisation) by law enforcement about a minor it met,
-- with the delay from first encounter to notification in days. No record id: ids never leave staging.
SELECT
    encounter_date,
    referral_date AS notification_date,
    CAST(year(encounter_date) AS INTEGER) AS year,
    referring_org_type,
    referring_region AS region,
    date_diff('day', encounter_date, referral_date) AS delay_days
FROM staging.stg_referrals
WHERE service = 'child_welfare_notification'
  AND receiving_org_type = 'child_welfare'
  AND referring_org_type IN ('law_enforcement_local', 'law_enforcement_state', 'law_enforcement_federal')
  AND minor
  AND encounter_date IS NOT NULL
