SELECT f.cohort_year, f.situations_signalled, f.situations_signalled_suppressed, f.situations_case,
       f.situations_case_suppressed, f.situations_investigated, f.situations_investigated_suppressed,
       f.situations_charged, f.situations_charged_suppressed, f.situations_convicted, f.situations_convicted_suppressed,
       f.median_days_signal_to_investigation, f.median_days_investigation_to_charge, f.median_days_charge_to_conviction,
       f.median_days_signal_to_investigation_flag, f.median_days_investigation_to_charge_flag,
       f.median_days_charge_to_conviction_flag,
       v.compensation_claims, v.compensation_claims_suppressed, v.compensation_awards, v.compensation_awards_suppressed,
       v.visa_certifications_signed, v.visa_certifications_signed_suppressed,
       v.restitution_orders, v.restitution_orders_suppressed,
       f.outcome_link_share, f.outcome_link_share_flag
FROM case_funnel AS f
LEFT JOIN victim_outcomes_yearly AS v ON v.year = f.cohort_year
ORDER BY f.cohort_year
