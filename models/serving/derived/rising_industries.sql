-- Fastest-rising industries: signals in each sector's last four complete quarters against the four
-- quarters before, from the published quarterly counts only (NULL when any of the eight is suppressed).
-- q_value (Benjamini-Hochberg across sectors) is added by the serving build.
WITH complete AS (
    SELECT quarter, sector_code, sector_name, signals,
           dense_rank() OVER (ORDER BY quarter DESC) AS quarters_back
    FROM industry_quarterly
    WHERE trafficking_type = 'all' AND sector_code <> 'all' AND months_loaded = 3
),
windows AS (
    SELECT
        sector_code,
        any_value(sector_name) AS sector_name,
        quarter_label(min(quarter) FILTER (WHERE quarters_back <= 4)) || '-'
            || quarter_label(max(quarter) FILTER (WHERE quarters_back <= 4)) AS recent_quarters,
        quarter_label(min(quarter) FILTER (WHERE quarters_back BETWEEN 5 AND 8)) || '-'
            || quarter_label(max(quarter) FILTER (WHERE quarters_back BETWEEN 5 AND 8)) AS prior_quarters,
        -- sum() would skip a suppressed quarter; these are NULL unless all four are published.
        CASE WHEN count(signals) FILTER (WHERE quarters_back <= 4) = 4
             THEN sum(signals) FILTER (WHERE quarters_back <= 4) END AS signals_recent,
        CASE WHEN count(signals) FILTER (WHERE quarters_back BETWEEN 5 AND 8) = 4
             THEN sum(signals) FILTER (WHERE quarters_back BETWEEN 5 AND 8) END AS signals_prior
    FROM complete
    WHERE quarters_back <= 8
    GROUP BY sector_code
    HAVING count(*) = 8
)
SELECT
    sector_code,
    sector_name,
    recent_quarters,
    prior_quarters,
    CAST(signals_recent AS BIGINT) AS signals_recent,
    CAST(signals_prior AS BIGINT) AS signals_prior,
    change_pct(signals_recent, signals_prior) AS change_pct,
    change_low_pct(signals_recent, signals_prior) AS change_low_pct,
    change_high_pct(signals_recent, signals_prior) AS change_high_pct,
    change_p(signals_recent, signals_prior) AS p_value,
    -- Ranked among sectors whose change can be shown; the others have no rank.
    CASE WHEN signals_recent IS NOT NULL AND signals_prior IS NOT NULL THEN CAST(rank() OVER (
        PARTITION BY signals_recent IS NOT NULL AND signals_prior IS NOT NULL
        ORDER BY change_pct(signals_recent, signals_prior) DESC) AS INTEGER) END AS rise_rank
FROM windows
ORDER BY rise_rank NULLS LAST, sector_code
