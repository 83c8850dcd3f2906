-- Rates per 100,000 and the share of minors for every area; at quarter and year grain with 95% exact
-- Poisson intervals, at month grain the 3-month rolling averages; changes only between complete periods.
SELECT
    a.*,
    share(a.minors_in_cases, a.people_in_cases) AS minor_share,
    per_100k(a.signals, a.population) AS signals_per_100k,
    per_100k(a.cases, a.population) AS cases_per_100k,
    -- Shown only when the three months are all published (count() skips NULL).
    CASE WHEN count(a.signals) OVER trailing_3 = 3 THEN avg(a.signals) OVER trailing_3 END AS signals_3mo_avg,
    CASE WHEN count(a.cases) OVER trailing_3 = 3 THEN avg(a.cases) OVER trailing_3 END AS cases_3mo_avg
FROM area_monthly AS a
WINDOW trailing_3 AS (PARTITION BY a.region, a.county ORDER BY a.month ROWS BETWEEN 2 PRECEDING AND CURRENT ROW)
ORDER BY a.month, a.area_level DESC, a.region, a.county
