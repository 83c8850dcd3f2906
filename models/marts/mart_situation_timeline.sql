-- One row per situation (formed across agencies by linkage, intermediate.int_situations; docs/linkage.md): when
-- it was first signalled, whether it became a case, and the first date it reached each later stage (referral,
-- investigation, charge, conviction). Convictions are guilty dispositions: conviction at trial or guilty plea.
WITH signals AS (
    SELECT linked.situation_id, min(s.received_date) AS first_signal_date, bool_or(s.is_case) AS is_case,
           arg_min(s.region, s.received_date) AS region
    FROM staging.stg_hotline_signals AS s
    JOIN intermediate.int_situations AS linked USING (sending_agency, situation_key)
    GROUP BY linked.situation_id
),
referrals AS (
    SELECT linked.situation_id, min(r.referral_date) AS first_referral_date
    FROM staging.stg_referrals AS r
    JOIN intermediate.int_situations AS linked USING (sending_agency, situation_key)
    GROUP BY linked.situation_id
),
outcomes AS (
    SELECT
        linked.situation_id,
        min(o.event_date) FILTER (WHERE o.event_type = 'investigation_opened') AS investigation_date,
        min(o.event_date) FILTER (WHERE o.event_type IN ('charges_filed_state', 'charges_filed_federal')) AS charge_date,
        min(o.event_date) FILTER (WHERE o.event_type IN ('disposition_conviction', 'disposition_plea')) AS conviction_date
    FROM staging.stg_case_outcomes AS o
    JOIN intermediate.int_situations AS linked USING (sending_agency, situation_key)
    GROUP BY linked.situation_id
)
SELECT
    signals.situation_id,
    signals.first_signal_date,
    CAST(year(signals.first_signal_date) AS INTEGER) AS cohort_year,
    signals.region,
    signals.is_case,
    referrals.first_referral_date,
    outcomes.investigation_date,
    outcomes.charge_date,
    outcomes.conviction_date
FROM signals
LEFT JOIN referrals USING (situation_id)
LEFT JOIN outcomes USING (situation_id)
