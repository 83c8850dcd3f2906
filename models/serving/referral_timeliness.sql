-- Per year of referral and receiving organisation type (and all types, receiving_org_type = 'all'):
-- referral volume, how long referrals took (first signal -> first referral of a situation; referral ->
-- service start) as median and 90th percentile days, and referrals pending over 30 days at the end of the
-- data. Each delay statistic comes with the number of referrals it is computed over.
WITH receiving_types AS (
    SELECT DISTINCT receiving_org_type FROM marts.mart_referral_timeliness
),
grid AS (
    SELECT DISTINCT calendar.year, receiving_types.receiving_org_type
    FROM intermediate.int_calendar_months AS calendar CROSS JOIN receiving_types
),
stats AS (
    SELECT
        grid.year,
        coalesce(grid.receiving_org_type, 'all') AS receiving_org_type,
        count(r.referral_date) AS referrals,  -- the grid's LEFT JOIN: count matched referrals only
        count(r.referral_date) FILTER (WHERE r.is_first_referral AND r.days_signal_to_referral IS NOT NULL) AS first_referrals,
        median(r.days_signal_to_referral) FILTER (WHERE r.is_first_referral) AS median_days_signal_to_first_referral,
        quantile_cont(r.days_signal_to_referral, 0.9) FILTER (WHERE r.is_first_referral) AS p90_days_signal_to_first_referral,
        count(r.days_referral_to_service) AS referrals_with_service_start,
        median(r.days_referral_to_service) AS median_days_referral_to_service,
        quantile_cont(r.days_referral_to_service, 0.9) AS p90_days_referral_to_service,
        count(*) FILTER (WHERE r.pending_over_30_days) AS referrals_pending_over_30_days,
        -- linkage coverage: referrals whose situation key links to a hotline signal (the timeliness rests on it)
        count(r.days_signal_to_referral) AS referrals_linked_to_signal
    FROM grid
    LEFT JOIN marts.mart_referral_timeliness AS r
        ON r.year = grid.year AND r.receiving_org_type = grid.receiving_org_type
    GROUP BY GROUPING SETS ((grid.year, grid.receiving_org_type), (grid.year))
)
SELECT
    stats.year,
    stats.receiving_org_type,
    coalesce(labels.label, 'All organisation types') AS receiving_org_type_label,
    CAST(stats.referrals AS BIGINT) AS referrals,
    CAST(stats.first_referrals AS BIGINT) AS first_referrals,
    CAST(stats.median_days_signal_to_first_referral AS DOUBLE) AS median_days_signal_to_first_referral,
    CAST(stats.p90_days_signal_to_first_referral AS DOUBLE) AS p90_days_signal_to_first_referral,
    CAST(stats.referrals_with_service_start AS BIGINT) AS referrals_with_service_start,
    CAST(stats.median_days_referral_to_service AS DOUBLE) AS median_days_referral_to_service,
    CAST(stats.p90_days_referral_to_service AS DOUBLE) AS p90_days_referral_to_service,
    CAST(stats.referrals_pending_over_30_days AS BIGINT) AS referrals_pending_over_30_days,
    CAST(stats.referrals_linked_to_signal AS BIGINT) AS referrals_linked_to_signal
FROM stats
LEFT JOIN reference.code_labels AS labels
    ON labels.code_list = 'org_type' AND labels.code = stats.receiving_org_type
ORDER BY stats.year, stats.receiving_org_type
