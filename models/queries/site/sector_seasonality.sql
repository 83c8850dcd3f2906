-- Seasonality profile per sector (1 = a typical quarter); NULL where the sector has a suppressed quarter.
SELECT sector_code, sector_name, quarter_of_year, quarters_loaded, seasonal_index
FROM sector_seasonality
ORDER BY sector_name, quarter_of_year
