-- Missouri § 566.223: one row per person law enforcement first met who reasonably appeared to be a
-- trafficking victim (case-outcome event victim_encountered from a law-enforcement agency, adults and
-- minors), numbered within (situation, encounter date, minor flag): the n-th person met there pairs with the
-- n-th notification about them (intermediate.int_566_223_notifications). The event id only orders them: ids
-- never leave staging.
SELECT
    linked.situation_id,
    event_date AS encounter_date,
    CAST(year(event_date) AS INTEGER) AS year,
    minor,
    region,
    reporting_org_type,
    row_number() OVER (PARTITION BY linked.situation_id, event_date, minor ORDER BY event_id) AS person_rank
FROM staging.stg_case_outcomes
JOIN intermediate.int_situations AS linked USING (sending_agency, situation_key)
WHERE event_type = 'victim_encountered'
  AND reporting_org_type IN ('law_enforcement_local', 'law_enforcement_state', 'law_enforcement_federal')
