-- Every month from the first to the last month with any loaded record, so published series show
-- a month with no records as 0 instead of skipping it.
WITH bounds AS (
    SELECT min(month) AS first_month, max(month) AS last_month
    FROM (
        SELECT month FROM staging.stg_hotline_signals
        UNION ALL SELECT month FROM staging.stg_referrals
        UNION ALL SELECT month FROM staging.stg_case_outcomes
    )
)
SELECT
    CAST(m.month AS DATE) AS month,
    quarter_start(m.month) AS quarter,
    quarter_label(m.month) AS quarter_label,
    CAST(year(m.month) AS INTEGER) AS year
FROM bounds, unnest(generate_series(bounds.first_month, bounds.last_month, INTERVAL 1 MONTH)) AS m(month)
