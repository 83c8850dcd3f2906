-- FBI rows, offenses and clearances of the deployment's state in staging, and how many have no region.
SELECT coalesce(sum(file_rows), 0), coalesce(sum(actual_offenses), 0), coalesce(sum(cleared), 0),
       count(*) FILTER (WHERE region IS NULL)
FROM staging.stg_context_fbi_offenses
WHERE is_deployment_state
