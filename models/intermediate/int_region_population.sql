-- 2020 population of each region of the configured scheme (signals without a county have none).
SELECT
    region,
    any_value(region_label) AS region_label,
    sum(population_2020) AS population,
    count(*) AS counties
FROM reference.counties
GROUP BY region
