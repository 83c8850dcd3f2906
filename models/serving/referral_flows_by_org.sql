-- Referrals per year between organisations, by status, with both organisations' names and types: what an
-- agency sees of its own referrals (Superset row-level security keeps it to the flows it sent or received).
-- Declared to disclosure control with organisation < organisation type, so a cell hidden here cannot be
-- worked out from the type-level flows in yearly_referral_flows, nor the other way round.
SELECT
    CAST(year(m.month) AS INTEGER) AS year,
    m.referring_org_id,
    referring.org_name AS referring_org_name,
    m.referring_org_type,
    referring_type.label AS referring_org_type_label,
    m.receiving_org_id,
    receiving.org_name AS receiving_org_name,
    m.receiving_org_type,
    receiving_type.label AS receiving_org_type_label,
    sum(m.referrals) AS referrals,
    sum(m.accepted) AS accepted,
    sum(m.declined) AS declined,
    sum(m.pending) AS pending
FROM marts.mart_monthly_referrals_by_org AS m
JOIN reference.organisations AS referring ON referring.org_id = m.referring_org_id
JOIN reference.organisations AS receiving ON receiving.org_id = m.receiving_org_id
JOIN reference.code_labels AS referring_type
    ON referring_type.code_list = 'org_type' AND referring_type.code = m.referring_org_type
JOIN reference.code_labels AS receiving_type
    ON receiving_type.code_list = 'org_type' AND receiving_type.code = m.receiving_org_type
GROUP BY ALL
ORDER BY year, m.referring_org_id, m.receiving_org_id
