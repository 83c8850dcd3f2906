-- The victim profile's totals and shares, from published counts only: the total of the type and period is
-- industry_quarterly's sector 'all' row (a year: the sum of its quarters, NULL unless every one is published),
-- and a share is the category's count over that total (NULL where either is hidden).
WITH quarters AS (
    SELECT quarter, trafficking_type, signals, cases
    FROM industry_quarterly
    WHERE sector_code = 'all'
),
totals AS (
    SELECT 'quarter' AS period_grain, quarter AS period_start, trafficking_type, signals AS type_signals,
           cases AS type_cases
    FROM quarters
    UNION ALL
    SELECT 'year', make_date(CAST(year(quarter) AS INTEGER), 1, 1), trafficking_type,
           CASE WHEN bool_and(signals IS NOT NULL) THEN sum(signals) END,
           CASE WHEN bool_and(cases IS NOT NULL) THEN sum(cases) END
    FROM quarters
    GROUP BY ALL
)
SELECT
    p.*,
    t.type_signals,
    t.type_cases,
    share(p.profile_signals, t.type_signals) AS signal_share,
    share(p.profile_cases, t.type_cases) AS case_share
FROM victim_profile AS p
LEFT JOIN totals AS t
    ON t.period_grain = p.period_grain AND t.period_start = p.period_start
   AND t.trafficking_type = p.trafficking_type
ORDER BY p.period_grain DESC, p.period_start, p.type_order, p.attribute_order, p.category_order
