-- Referrals per month x referring organisation type x receiving organisation type x service, by status.
SELECT
    month,
    referring_org_type,
    receiving_org_type,
    service,
    count(*) AS referrals,
    count(*) FILTER (WHERE status = 'accepted') AS accepted,
    count(*) FILTER (WHERE status = 'declined') AS declined,
    count(*) FILTER (WHERE status = 'pending') AS pending,
    count(*) FILTER (WHERE status = 'withdrawn') AS withdrawn,
    count(*) FILTER (WHERE service_start_date IS NOT NULL) AS services_started
FROM staging.stg_referrals
WHERE in_partition(month)
GROUP BY ALL
