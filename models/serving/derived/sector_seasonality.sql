-- Seasonality profile per sector (and for all sectors) over all loaded years: average signals in each
-- calendar month of the year over the sector's average month, from the published month-of-year counts.
-- NULL for the whole sector when any of its months is suppressed (the profile would rest on a hidden count).
WITH per_month AS (
    SELECT *, signals / months_loaded AS average_signals FROM sector_seasonality
),
sector AS (
    SELECT sector_code, count(signals) = count(*) AS all_published, avg(average_signals) AS average_month
    FROM per_month GROUP BY sector_code
)
SELECT
    per_month.* EXCLUDE (average_signals),
    CASE WHEN sector.all_published AND sector.average_month > 0
         THEN per_month.average_signals / sector.average_month END AS seasonal_index
FROM per_month
JOIN sector USING (sector_code)
ORDER BY per_month.sector_code, per_month.month_of_year
