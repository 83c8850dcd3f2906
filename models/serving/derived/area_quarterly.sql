-- Rates per 100,000 and the share of minors for every area with 95% exact Poisson intervals (area_rates in
-- macros.sql), and QoQ / YoY changes only between complete quarters.
SELECT
    a.* EXCLUDE (complete),
    CASE WHEN a.complete AND previous_quarter.complete THEN change_pct(a.signals, previous_quarter.signals) END AS signals_qoq_change_pct,
    CASE WHEN a.complete AND previous_quarter.complete THEN change_low_pct(a.signals, previous_quarter.signals) END AS signals_qoq_change_low_pct,
    CASE WHEN a.complete AND previous_quarter.complete THEN change_high_pct(a.signals, previous_quarter.signals) END AS signals_qoq_change_high_pct,
    CASE WHEN a.complete AND previous_quarter.complete THEN change_p(a.signals, previous_quarter.signals) END AS signals_qoq_p_value,
    CASE WHEN a.complete AND same_quarter_last_year.complete THEN change_pct(a.signals, same_quarter_last_year.signals) END AS signals_yoy_change_pct,
    CASE WHEN a.complete AND same_quarter_last_year.complete THEN change_low_pct(a.signals, same_quarter_last_year.signals) END AS signals_yoy_change_low_pct,
    CASE WHEN a.complete AND same_quarter_last_year.complete THEN change_high_pct(a.signals, same_quarter_last_year.signals) END AS signals_yoy_change_high_pct,
    CASE WHEN a.complete AND same_quarter_last_year.complete THEN change_p(a.signals, same_quarter_last_year.signals) END AS signals_yoy_p_value,
    CASE WHEN a.complete AND previous_quarter.complete THEN change_pct(a.cases, previous_quarter.cases) END AS cases_qoq_change_pct,
    CASE WHEN a.complete AND previous_quarter.complete THEN change_low_pct(a.cases, previous_quarter.cases) END AS cases_qoq_change_low_pct,
    CASE WHEN a.complete AND previous_quarter.complete THEN change_high_pct(a.cases, previous_quarter.cases) END AS cases_qoq_change_high_pct,
    CASE WHEN a.complete AND previous_quarter.complete THEN change_p(a.cases, previous_quarter.cases) END AS cases_qoq_p_value,
    CASE WHEN a.complete AND same_quarter_last_year.complete THEN change_pct(a.cases, same_quarter_last_year.cases) END AS cases_yoy_change_pct,
    CASE WHEN a.complete AND same_quarter_last_year.complete THEN change_low_pct(a.cases, same_quarter_last_year.cases) END AS cases_yoy_change_low_pct,
    CASE WHEN a.complete AND same_quarter_last_year.complete THEN change_high_pct(a.cases, same_quarter_last_year.cases) END AS cases_yoy_change_high_pct,
    CASE WHEN a.complete AND same_quarter_last_year.complete THEN change_p(a.cases, same_quarter_last_year.cases) END AS cases_yoy_p_value
FROM area_rates('area_quarterly', 3) AS a
LEFT JOIN area_rates('area_quarterly', 3) AS previous_quarter
    ON previous_quarter.region = a.region AND previous_quarter.county = a.county
   AND previous_quarter.quarter = a.quarter - INTERVAL 3 MONTH
LEFT JOIN area_rates('area_quarterly', 3) AS same_quarter_last_year
    ON same_quarter_last_year.region = a.region AND same_quarter_last_year.county = a.county
   AND same_quarter_last_year.quarter = a.quarter - INTERVAL 12 MONTH
ORDER BY a.quarter, a.area_level DESC, a.region, a.county
