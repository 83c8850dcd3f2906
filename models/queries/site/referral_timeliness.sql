SELECT t.year, t.median_days_signal_to_first_referral_flag, t.p90_days_signal_to_first_referral_flag,
       t.median_days_referral_to_service_flag, t.p90_days_referral_to_service_flag, t.referrals, t.referrals_suppressed,
       t.median_days_signal_to_first_referral, t.p90_days_signal_to_first_referral,
       t.median_days_referral_to_service, t.p90_days_referral_to_service,
       t.referrals_pending_over_30_days, t.referrals_pending_over_30_days_suppressed,
       t.signal_link_share, t.signal_link_share_flag
FROM referral_timeliness AS t
WHERE t.receiving_org_type = 'all'
ORDER BY t.year
