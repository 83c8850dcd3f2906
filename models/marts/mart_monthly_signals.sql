-- Signals and cases per month x region x trafficking type x industry sector, with rates per 100,000
-- residents of the region. Signals count contacts, not prevalence.
WITH counts AS (
    SELECT
        month,
        region,
        trafficking_type,
        sector_code,
        count(*) AS signals,
        count(*) FILTER (WHERE is_case) AS cases,
        coalesce(sum(people_count) FILTER (WHERE is_case), 0) AS people_in_cases,
        coalesce(sum(minors_count) FILTER (WHERE is_case), 0) AS minors_in_cases
    FROM staging.stg_hotline_signals
    WHERE in_partition(month)
    GROUP BY ALL
),
region_population AS (
    -- from reference directly: this mart is rebuilt month by month before the whole-history models
    SELECT region, sum(population_2020) AS population FROM reference.counties GROUP BY region
)
SELECT
    counts.*,
    population.population AS region_population,
    counts.signals * 100000.0 / population.population AS signals_per_100k,
    counts.cases * 100000.0 / population.population AS cases_per_100k
FROM counts
LEFT JOIN region_population AS population USING (region)
