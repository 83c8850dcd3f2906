-- The task force's own hotline intake beside the published national-hotline figures: own signals and
-- cases are the PUBLISHED statewide yearly counts of area_yearly (NULL where suppressed there, or for a
-- year outside the publication period), so they reveal nothing area_yearly does not. Coverage = own /
-- published, for complete years only (a partial year's intake against a whole year's figure would
-- understate it). It can exceed 1: the task force also hears from tip lines the national hotline never sees.
WITH own AS (
    SELECT year, months_loaded, signals, signals_suppressed, cases, cases_suppressed
    FROM area_yearly
    WHERE region = 'all' AND county = 'all'
)
SELECT
    h.*,
    own.months_loaded,
    own.signals AS own_signals,
    own.signals_suppressed AS own_signals_suppressed,
    own.cases AS own_cases,
    own.cases_suppressed AS own_cases_suppressed,
    CASE WHEN own.months_loaded = 12 AND h.published_signals > 0
         THEN own.signals * 1.0 / h.published_signals END AS signal_coverage,
    CASE WHEN own.months_loaded = 12 AND h.published_cases > 0
         THEN own.cases * 1.0 / h.published_cases END AS case_coverage
FROM context_hotline_yearly AS h
LEFT JOIN own ON own.year = h.year
ORDER BY h.year
