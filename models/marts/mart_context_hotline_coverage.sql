-- Per year: the deployment state's published national-hotline signals and cases, its share of the
-- national total, the national total derived from the percentages (the published rows do not sum to it:
-- pooled over every state, sum(count) / sum(percent) * 100, which averages out the 2-decimal rounding),
-- and the task force's own hotline intake as a ratio to the published figures (coverage). Own intake
-- counts every hotline feeding the task force, so coverage can exceed 1.
WITH national AS (
    SELECT
        year,
        round(sum(signals) FILTER (WHERE pct_signals > 0) * 100.0 / sum(pct_signals) FILTER (WHERE pct_signals > 0)) AS national_signals,
        round(sum(cases) FILTER (WHERE pct_cases > 0) * 100.0 / sum(pct_cases) FILTER (WHERE pct_cases > 0)) AS national_cases,
        count(*) AS states_published
    FROM staging.stg_context_hotline_states
    GROUP BY year
),
own AS (
    SELECT CAST(year(received_date) AS BIGINT) AS year, count(*) AS own_signals, count(*) FILTER (WHERE is_case) AS own_cases
    FROM staging.stg_hotline_signals
    GROUP BY ALL
)
SELECT
    s.year,
    s.state,
    s.signals AS published_signals,
    s.cases AS published_cases,
    s.pct_signals AS share_of_national_signals_pct,
    s.pct_cases AS share_of_national_cases_pct,
    CAST(n.national_signals AS BIGINT) AS national_signals_derived,
    CAST(n.national_cases AS BIGINT) AS national_cases_derived,
    n.states_published,
    coalesce(o.own_signals, 0) AS own_signals,
    coalesce(o.own_cases, 0) AS own_cases,
    o.own_signals * 1.0 / nullif(s.signals, 0) AS signal_coverage,
    o.own_cases * 1.0 / nullif(s.cases, 0) AS case_coverage
FROM staging.stg_context_hotline_states AS s
JOIN national AS n USING (year)
LEFT JOIN own AS o USING (year)
WHERE s.is_deployment_state
ORDER BY s.year
