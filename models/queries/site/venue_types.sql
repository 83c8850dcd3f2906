-- Signals and cases by Polaris venue type in the latest complete year (the latest year when none is complete
-- yet), grouped by sector; the sector totals are the year's quarters of quarterly_by_sector (NULL when one
-- of them is suppressed).
WITH chosen AS (
    SELECT coalesce(max(year) FILTER (WHERE months_loaded = 12), max(year)) AS year FROM venue_type_yearly
),
sector_years AS (
    SELECT sector_code, year(quarter) AS year,
           CASE WHEN bool_or(signals_suppressed) THEN NULL ELSE sum(signals) END AS sector_signals,
           CASE WHEN bool_or(cases_suppressed) THEN NULL ELSE sum(cases) END AS sector_cases
    FROM quarterly_by_sector
    GROUP BY ALL
)
SELECT v.year, v.months_loaded, v.sector_code, v.sector_name, v.venue_type, v.venue_name,
       v.signals, v.signals_suppressed, v.cases, v.cases_suppressed, s.sector_signals, s.sector_cases
FROM venue_type_yearly AS v
JOIN chosen USING (year)
LEFT JOIN sector_years AS s ON s.sector_code = v.sector_code AND s.year = v.year
ORDER BY v.sector_name, v.venue_name
