-- How every staged FBI row was placed, per year: mapped to a county of the deployment's state (alone or
-- as the first listed of several), left statewide / unallocated (no county, or none recognised), or
-- about another state. The report "rows read, mapped, unallocated" is read from here.
SELECT
    year,
    allocation,
    CAST(sum(file_rows) AS BIGINT) AS agency_rows,
    count(DISTINCT ori) AS agencies,
    count(*) FILTER (WHERE spans_regions) AS rows_spanning_regions,
    CAST(sum(actual_offenses) AS BIGINT) AS actual_offenses
FROM staging.stg_context_fbi_offenses
GROUP BY year, allocation
ORDER BY year, allocation
