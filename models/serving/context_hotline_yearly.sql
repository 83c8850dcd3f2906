-- The deployment state's published national-hotline figures per year (public: the national hotline's
-- state table), with its share of the national totals. Published counts are declared counts like any
-- other (they are hundreds a year, so they pass; a count of 1 to k-1 would be suppressed like any).
-- The task force's own intake and the coverage ratios are added after suppression
-- (derived/context_hotline_yearly.sql) from the PUBLISHED statewide yearly counts of area_yearly, so
-- they go through disclosure control as those counts and reveal nothing area_yearly does not.
SELECT
    CAST(year AS INTEGER) AS year,
    CAST(published_signals AS BIGINT) AS published_signals,
    CAST(published_cases AS BIGINT) AS published_cases,
    CAST(share_of_national_signals_pct AS DOUBLE) AS share_of_national_signals_pct,
    CAST(share_of_national_cases_pct AS DOUBLE) AS share_of_national_cases_pct
FROM marts.mart_context_hotline_coverage
ORDER BY year
