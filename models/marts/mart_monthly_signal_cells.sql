-- Signals, cases, people and minors in cases per month x county x Polaris venue type x trafficking type:
-- the finest grain any published metric uses. Counties not reported are county 'unknown'.
SELECT
    month,
    coalesce(county_fips, 'unknown') AS county,
    region,
    coalesce(venue_type, 'not_specified') AS venue_type,
    sector_code,
    trafficking_type,
    count(*) AS signals,
    count(*) FILTER (WHERE is_case) AS cases,
    coalesce(sum(people_count) FILTER (WHERE is_case AND people_count >= 0), 0) AS people_in_cases,
    coalesce(sum(minors_count) FILTER (WHERE is_case AND people_count >= 0 AND minors_count >= 0), 0) AS minors_in_cases
FROM staging.stg_hotline_signals
GROUP BY ALL
