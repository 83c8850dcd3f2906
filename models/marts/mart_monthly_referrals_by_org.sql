-- Referrals per month x referring organisation x receiving organisation, by status: the rows behind the
-- per-agency referral dashboard (each agency sees the flows it sent or received).
SELECT
    month,
    referring_org_id,
    referring_org_type,
    receiving_org_id,
    receiving_org_type,
    count(*) AS referrals,
    count(*) FILTER (WHERE status = 'accepted') AS accepted,
    count(*) FILTER (WHERE status = 'declined') AS declined,
    count(*) FILTER (WHERE status = 'pending') AS pending,
    count(*) FILTER (WHERE status = 'withdrawn') AS withdrawn
FROM staging.stg_referrals
WHERE in_partition(month)
GROUP BY ALL
