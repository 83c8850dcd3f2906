-- Referrals per year between organisation types, by status.
SELECT
    CAST(year(m.month) AS INTEGER) AS year,
    m.referring_org_type,
    referring.label AS referring_org_type_label,
    m.receiving_org_type,
    receiving.label AS receiving_org_type_label,
    sum(m.referrals) AS referrals,
    sum(m.accepted) AS accepted,
    sum(m.declined) AS declined,
    sum(m.pending) AS pending
FROM marts.mart_monthly_referrals AS m
JOIN reference.code_labels AS referring ON referring.code_list = 'org_type' AND referring.code = m.referring_org_type
JOIN reference.code_labels AS receiving ON receiving.code_list = 'org_type' AND receiving.code = m.receiving_org_type
GROUP BY ALL
ORDER BY year, referring_org_type, receiving_org_type
