-- Rates per 100,000 and the share of minors for every area; at quarter and year grain with 95% exact
-- Poisson intervals, at month grain the 3-month rolling averages; changes only between complete periods.
SELECT
    a.* EXCLUDE (complete),
    share(a.minors_in_cases, a.people_in_cases) AS minor_share,
    per_100k(a.signals, a.population) AS signals_per_100k,
    per_100k(poisson_ci_low(a.signals), a.population) AS signals_per_100k_low,
    per_100k(poisson_ci_high(a.signals), a.population) AS signals_per_100k_high,
    per_100k(a.cases, a.population) AS cases_per_100k,
    per_100k(poisson_ci_low(a.cases), a.population) AS cases_per_100k_low,
    per_100k(poisson_ci_high(a.cases), a.population) AS cases_per_100k_high,
    CASE WHEN a.complete AND previous_year.complete THEN change_pct(a.signals, previous_year.signals) END AS signals_yoy_change_pct,
    CASE WHEN a.complete AND previous_year.complete THEN change_low_pct(a.signals, previous_year.signals) END AS signals_yoy_change_low_pct,
    CASE WHEN a.complete AND previous_year.complete THEN change_high_pct(a.signals, previous_year.signals) END AS signals_yoy_change_high_pct,
    CASE WHEN a.complete AND previous_year.complete THEN change_p(a.signals, previous_year.signals) END AS signals_yoy_p_value,
    CASE WHEN a.complete AND previous_year.complete THEN change_pct(a.cases, previous_year.cases) END AS cases_yoy_change_pct,
    CASE WHEN a.complete AND previous_year.complete THEN change_low_pct(a.cases, previous_year.cases) END AS cases_yoy_change_low_pct,
    CASE WHEN a.complete AND previous_year.complete THEN change_high_pct(a.cases, previous_year.cases) END AS cases_yoy_change_high_pct,
    CASE WHEN a.complete AND previous_year.complete THEN change_p(a.cases, previous_year.cases) END AS cases_yoy_p_value
FROM (SELECT *, months_loaded = 12 AS complete FROM area_yearly) AS a
LEFT JOIN (SELECT *, months_loaded = 12 AS complete FROM area_yearly) AS previous_year
    ON previous_year.region = a.region AND previous_year.county = a.county AND previous_year.year = a.year - 1
ORDER BY a.year, a.area_level DESC, a.region, a.county
