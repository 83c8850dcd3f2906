-- Rates per 100,000 and the share of minors for every area with 95% exact Poisson intervals (area_rates in
-- macros.sql), and YoY changes only between complete years.
SELECT
    a.* EXCLUDE (complete),
    CASE WHEN a.complete AND previous_year.complete THEN change_pct(a.signals, previous_year.signals) END AS signals_yoy_change_pct,
    CASE WHEN a.complete AND previous_year.complete THEN change_low_pct(a.signals, previous_year.signals) END AS signals_yoy_change_low_pct,
    CASE WHEN a.complete AND previous_year.complete THEN change_high_pct(a.signals, previous_year.signals) END AS signals_yoy_change_high_pct,
    CASE WHEN a.complete AND previous_year.complete THEN change_p(a.signals, previous_year.signals) END AS signals_yoy_p_value,
    CASE WHEN a.complete AND previous_year.complete THEN change_pct(a.cases, previous_year.cases) END AS cases_yoy_change_pct,
    CASE WHEN a.complete AND previous_year.complete THEN change_low_pct(a.cases, previous_year.cases) END AS cases_yoy_change_low_pct,
    CASE WHEN a.complete AND previous_year.complete THEN change_high_pct(a.cases, previous_year.cases) END AS cases_yoy_change_high_pct,
    CASE WHEN a.complete AND previous_year.complete THEN change_p(a.cases, previous_year.cases) END AS cases_yoy_p_value
FROM area_rates('area_yearly', 12) AS a
LEFT JOIN area_rates('area_yearly', 12) AS previous_year
    ON previous_year.region = a.region AND previous_year.county = a.county AND previous_year.year = a.year - 1
ORDER BY a.year, a.area_level DESC, a.region, a.county
