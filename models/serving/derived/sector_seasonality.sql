-- Seasonality profile per sector over all years: average signals in each quarter of the year (complete
-- quarters only) over the sector's average quarter, from the published quarterly counts. NULL for the
-- whole sector when any of its quarters is suppressed (the profile would otherwise rest on a hidden count).
WITH quarters AS (
    SELECT sector_code, sector_name, quarter(quarter) AS quarter_of_year, signals
    FROM industry_quarterly
    WHERE trafficking_type = 'all' AND sector_code <> 'all' AND months_loaded = 3
),
per_quarter AS (
    SELECT sector_code, any_value(sector_name) AS sector_name, CAST(quarter_of_year AS INTEGER) AS quarter_of_year,
           count(*) AS quarters_loaded, count(signals) = count(*) AS all_published, avg(signals) AS average_signals
    FROM quarters
    GROUP BY sector_code, quarter_of_year
),
sector AS (
    SELECT sector_code, bool_and(all_published) AS all_published, avg(average_signals) AS average_quarter
    FROM per_quarter GROUP BY sector_code
)
SELECT
    per_quarter.sector_code,
    per_quarter.sector_name,
    per_quarter.quarter_of_year,
    CAST(per_quarter.quarters_loaded AS INTEGER) AS quarters_loaded,
    CASE WHEN sector.all_published AND sector.average_quarter > 0
         THEN per_quarter.average_signals / sector.average_quarter END AS seasonal_index
FROM per_quarter
JOIN sector USING (sector_code)
ORDER BY per_quarter.sector_code, per_quarter.quarter_of_year
