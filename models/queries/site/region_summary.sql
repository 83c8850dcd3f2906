SELECT year, region, region_label, population,
       signals, signals_suppressed, cases, cases_suppressed,
       signals_per_100k, signals_per_100k_flag
FROM yearly_region_summary
ORDER BY year, region
