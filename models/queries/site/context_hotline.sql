SELECT year, published_signals, published_signals_suppressed, published_cases, published_cases_suppressed,
       share_of_national_signals_pct, share_of_national_cases_pct, months_loaded,
       own_signals, own_signals_suppressed, own_cases, own_cases_suppressed, signal_coverage, case_coverage
FROM context_hotline_yearly
ORDER BY year DESC
