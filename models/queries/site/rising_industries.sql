SELECT sector_name, recent_quarters, prior_quarters, signals_recent, signals_prior,
       change_pct, change_low_pct, change_high_pct, p_value, q_value, rise_rank
FROM rising_industries
ORDER BY rise_rank NULLS LAST, sector_name
