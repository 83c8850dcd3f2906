-- Linkage coverage of the timeliness measures: the share of the year's referrals that link to a hotline signal.
SELECT *, share(referrals_linked_to_signal, referrals) AS signal_link_share
FROM referral_timeliness
ORDER BY year, receiving_org_type
