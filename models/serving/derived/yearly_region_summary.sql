-- Signals per 100,000 residents of each region.
SELECT *, per_100k(signals, population) AS signals_per_100k
FROM yearly_region_summary
ORDER BY year, region
