-- One row per situation (linkage key): when it was first signalled, whether it became a case, and the
-- first date it reached each later stage (referral, investigation, charge, conviction). Convictions are
-- guilty dispositions: conviction at trial or guilty plea.
WITH signals AS (
    SELECT situation_key, min(received_date) AS first_signal_date, bool_or(is_case) AS is_case,
           arg_min(region, received_date) AS region
    FROM staging.stg_hotline_signals
    GROUP BY situation_key
),
referrals AS (
    SELECT situation_key, min(referral_date) AS first_referral_date
    FROM staging.stg_referrals
    GROUP BY situation_key
),
outcomes AS (
    SELECT
        situation_key,
        min(event_date) FILTER (WHERE event_type = 'investigation_opened') AS investigation_date,
        min(event_date) FILTER (WHERE event_type IN ('charges_filed_state', 'charges_filed_federal')) AS charge_date,
        min(event_date) FILTER (WHERE event_type IN ('disposition_conviction', 'disposition_plea')) AS conviction_date
    FROM staging.stg_case_outcomes
    GROUP BY situation_key
)
SELECT
    signals.situation_key,
    signals.first_signal_date,
    CAST(year(signals.first_signal_date) AS INTEGER) AS cohort_year,
    signals.region,
    signals.is_case,
    referrals.first_referral_date,
    outcomes.investigation_date,
    outcomes.charge_date,
    outcomes.conviction_date
FROM signals
LEFT JOIN referrals USING (situation_key)
LEFT JOIN outcomes USING (situation_key)
