-- One row per referral with the delays the task force tracks: days from the situation's first signal to
-- this referral, from referral to service start, and whether it has been pending over 30 days at the end
-- of the data (the last day of the last loaded month). Situations are formed across agencies by linkage
-- (intermediate.int_situations; docs/linkage.md). No record id: ids never leave staging.
WITH data_end AS (
    SELECT CAST(max(month) + INTERVAL 1 MONTH - INTERVAL 1 DAY AS DATE) AS last_day
    FROM intermediate.int_calendar_months
),
first_signal AS (
    SELECT linked.situation_id, min(s.received_date) AS first_signal_date
    FROM staging.stg_hotline_signals AS s
    JOIN intermediate.int_situations AS linked USING (sending_agency, situation_key)
    GROUP BY linked.situation_id
),
referrals AS (
    SELECT r.*, linked.situation_id
    FROM staging.stg_referrals AS r
    JOIN intermediate.int_situations AS linked USING (sending_agency, situation_key)
)
SELECT
    r.situation_id,
    r.sending_agency,
    r.referral_date,
    r.month,
    CAST(year(r.referral_date) AS INTEGER) AS year,
    r.referring_org_type,
    r.receiving_org_type,
    r.service,
    r.status,
    r.referral_date = min(r.referral_date) OVER (PARTITION BY r.situation_id) AS is_first_referral,
    date_diff('day', s.first_signal_date, r.referral_date) AS days_signal_to_referral,
    date_diff('day', r.referral_date, r.service_start_date) AS days_referral_to_service,
    r.status = 'pending' AND date_diff('day', r.referral_date, data_end.last_day) > 30 AS pending_over_30_days
FROM referrals AS r
CROSS JOIN data_end
LEFT JOIN first_signal AS s USING (situation_id)
