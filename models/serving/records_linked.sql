-- Linkage coverage per agency and feed (docs/linkage.md): of the records an agency sent (current versions), how
-- many belong to a situation that joins another agency's records, and how many to a situation that holds a hotline
-- signal: only those enter the funnel (case outcomes), the signal-to-referral delay (referrals) and, through their
-- situation, the § 566.223 pairing. Exact, for the internal audiences only (an agency its own rows), like
-- agency_data_quality.
WITH records AS (
    SELECT sending_agency, 'hotline_signals' AS feed, situation_key FROM staging.stg_hotline_signals
    UNION ALL
    SELECT sending_agency, 'referrals' AS feed, situation_key FROM staging.stg_referrals
    UNION ALL
    SELECT sending_agency, 'case_outcomes' AS feed, situation_key FROM staging.stg_case_outcomes
),
signalled AS (
    SELECT DISTINCT linked.situation_id
    FROM staging.stg_hotline_signals AS s
    JOIN intermediate.int_situations AS linked USING (sending_agency, situation_key)
)
SELECT
    r.sending_agency AS agency,
    organisations.org_name,
    r.feed,
    CAST(count(*) AS BIGINT) AS records,
    CAST(count(*) FILTER (WHERE linked.agencies > 1) AS BIGINT) AS records_joined_across_agencies,
    CAST(count(*) FILTER (WHERE signalled.situation_id IS NOT NULL) AS BIGINT) AS records_with_signal
FROM records AS r
JOIN intermediate.int_situations AS linked USING (sending_agency, situation_key)
JOIN reference.organisations AS organisations ON organisations.org_id = r.sending_agency
LEFT JOIN signalled USING (situation_id)
GROUP BY ALL
ORDER BY organisations.org_name, r.feed
