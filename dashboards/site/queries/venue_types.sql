-- Signals and cases by Polaris venue type (with sector totals) in the latest complete year, or the latest
-- year when none is complete yet.
WITH chosen AS (
    SELECT coalesce(max(year) FILTER (WHERE months_loaded = 12), max(year)) AS year FROM venue_type_yearly
)
SELECT v.year, v.months_loaded, v.sector_code, v.sector_name, v.venue_type, v.venue_name,
       v.signals, v.signals_suppressed, v.cases, v.cases_suppressed
FROM venue_type_yearly AS v
JOIN chosen USING (year)
ORDER BY v.sector_code = 'all', v.sector_name, v.venue_type <> 'all', v.venue_name
