-- FBI-reported human-trafficking offenses and clearances in the deployment's state, per year x region x
-- offense (commercial sex acts, involuntary servitude). 'unallocated' holds statewide agencies and agencies
-- whose county is missing or not recognised. Few agencies report: a region absent from a year had no
-- reporting agency, which is not zero offenses. Clearances can concern earlier years, so the clearance
-- rate can exceed 1.
SELECT
    year,
    region,
    any_value(region_label) AS region_label,
    offense,
    count(DISTINCT ori) AS agencies_reporting,
    CAST(sum(file_rows) AS BIGINT) AS agency_rows,
    CAST(sum(actual_offenses) AS BIGINT) AS actual_offenses,
    CAST(sum(unfounded) AS BIGINT) AS unfounded,
    CAST(sum(cleared) AS BIGINT) AS cleared,
    CAST(sum(juvenile_cleared) AS BIGINT) AS juvenile_cleared,
    sum(cleared) * 1.0 / nullif(sum(actual_offenses), 0) AS clearance_rate
FROM staging.stg_context_fbi_offenses
WHERE is_deployment_state
GROUP BY year, region, offense
ORDER BY year, region, offense
