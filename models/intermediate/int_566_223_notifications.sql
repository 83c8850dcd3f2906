-- Missouri § 566.223: one row per notification law enforcement made after meeting a person: of the
-- Department of Social Services (service child_welfare_notification, to the Children's Division) or of the
-- juvenile office (juvenile_office_notification), numbered within (situation, encounter date, minor flag,
-- service) in the order made, to pair with intermediate.int_566_223_encounters (the referral id only breaks
-- ties; ids never leave staging).
SELECT
    linked.situation_id,
    encounter_date,
    minor,
    service,
    referral_date,
    row_number() OVER (PARTITION BY linked.situation_id, encounter_date, minor, service
                       ORDER BY referral_date, referral_id) AS person_rank
FROM staging.stg_referrals
JOIN intermediate.int_situations AS linked USING (sending_agency, situation_key)
WHERE referring_org_type IN ('law_enforcement_local', 'law_enforcement_state', 'law_enforcement_federal')
  AND encounter_date IS NOT NULL
  AND ((service = 'child_welfare_notification' AND receiving_org_type = 'child_welfare')
       OR (service = 'juvenile_office_notification' AND receiving_org_type = 'juvenile_office'))
