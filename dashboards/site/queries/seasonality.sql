-- Seasonality index per sector (and all sectors) and calendar month of the year.
SELECT sector_code, sector_name, month_of_year, seasonal_index
FROM sector_seasonality
ORDER BY sector_code = 'all' DESC, sector_name, month_of_year
