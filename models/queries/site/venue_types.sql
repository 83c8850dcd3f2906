-- Signals and cases by Polaris venue type in the latest complete year (the latest year when none is complete
-- yet), grouped by sector; a sector's total is its year as yearly_industry publishes it, else the sum of its
-- quarters in quarterly_by_sector (NULL when neither is shown: one of the quarters is suppressed).
WITH chosen AS (
    SELECT coalesce(max(year) FILTER (WHERE months_loaded = 12), max(year)) AS year FROM venue_type_yearly
),
sector_years AS (
    SELECT sector_code, year(quarter) AS year,
           CASE WHEN bool_or(signals_suppressed) THEN NULL ELSE sum(signals) END AS sector_signals,
           CASE WHEN bool_or(cases_suppressed) THEN NULL ELSE sum(cases) END AS sector_cases
    FROM quarterly_by_sector
    GROUP BY ALL
),
sector_totals AS (
    SELECT sector_code, year,
           CASE WHEN signals_suppressed THEN NULL ELSE signals END AS year_signals,
           CASE WHEN cases_suppressed THEN NULL ELSE cases END AS year_cases
    FROM yearly_industry
    WHERE trafficking_type = 'all' AND sector_code <> 'all'
)
SELECT v.year, v.months_loaded, v.sector_code, v.sector_name, v.venue_type, v.venue_name,
       v.signals, v.signals_suppressed, v.cases, v.cases_suppressed,
       coalesce(t.year_signals, s.sector_signals) AS sector_signals,
       coalesce(t.year_cases, s.sector_cases) AS sector_cases
FROM venue_type_yearly AS v
JOIN chosen USING (year)
LEFT JOIN sector_years AS s ON s.sector_code = v.sector_code AND s.year = v.year
LEFT JOIN sector_totals AS t ON t.sector_code = v.sector_code AND t.year = v.year
ORDER BY v.sector_name, v.venue_name
