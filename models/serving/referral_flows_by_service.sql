-- Referrals per year x referring organisation type x receiving organisation type x service, by status.
-- Only combinations that occur are listed; every other combination is zero.
SELECT
    CAST(year(m.month) AS INTEGER) AS year,
    m.referring_org_type,
    referring.label AS referring_org_type_label,
    m.receiving_org_type,
    receiving.label AS receiving_org_type_label,
    m.service,
    services.label AS service_label,
    CAST(sum(m.referrals) AS BIGINT) AS referrals,
    CAST(sum(m.accepted) AS BIGINT) AS accepted,
    CAST(sum(m.declined) AS BIGINT) AS declined,
    CAST(sum(m.pending) AS BIGINT) AS pending,
    CAST(sum(m.withdrawn) AS BIGINT) AS withdrawn
FROM marts.mart_monthly_referrals AS m
JOIN reference.code_labels AS referring ON referring.code_list = 'org_type' AND referring.code = m.referring_org_type
JOIN reference.code_labels AS receiving ON receiving.code_list = 'org_type' AND receiving.code = m.receiving_org_type
JOIN reference.code_labels AS services ON services.code_list = 'service' AND services.code = m.service
GROUP BY ALL
ORDER BY year, m.referring_org_type, m.receiving_org_type, m.service
