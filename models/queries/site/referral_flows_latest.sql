-- The latest year present; the page says when that year is not yet complete.
SELECT year, referring_org_type, referring_org_type_label, receiving_org_type, receiving_org_type_label,
       referrals, referrals_suppressed, accepted, accepted_suppressed,
       declined, declined_suppressed, pending, pending_suppressed
FROM yearly_referral_flows
WHERE year = (SELECT max(year) FROM yearly_referral_flows)
ORDER BY referrals DESC NULLS LAST, referring_org_type, receiving_org_type
