-- Acceptance rate: the share of referrals accepted.
SELECT *, share(accepted, referrals) AS acceptance_rate
FROM referral_flows_by_service
ORDER BY year, referring_org_type, receiving_org_type, service
