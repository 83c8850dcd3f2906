-- National context: FBI-reported human-trafficking offenses and clearances per state x year x offense,
-- every state in the file, the deployment's state flagged.
SELECT
    year,
    state_abbr,
    any_value(state_name) AS state_name,
    bool_or(is_deployment_state) AS is_deployment_state,
    offense,
    count(DISTINCT ori) AS agencies_reporting,
    CAST(sum(actual_offenses) AS BIGINT) AS actual_offenses,
    CAST(sum(cleared) AS BIGINT) AS cleared,
    sum(cleared) * 1.0 / nullif(sum(actual_offenses), 0) AS clearance_rate
FROM staging.stg_context_fbi_offenses
GROUP BY year, state_abbr, offense
ORDER BY year, state_abbr, offense
