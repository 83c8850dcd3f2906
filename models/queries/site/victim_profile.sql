-- The victim profile of the latest complete year (the latest year when none is complete yet): every
-- attribute's categories by trafficking type, signals and cases as published (NULL + _suppressed where hidden),
-- with the type's total and the category's share of it (both NULL where a count they rest on is hidden).
WITH chosen AS (
    SELECT coalesce(max(period_start) FILTER (WHERE months_loaded = 12), max(period_start)) AS period_start
    FROM victim_profile
    WHERE period_grain = 'year'
)
SELECT p.period, p.months_loaded, p.trafficking_type, p.trafficking_type_label, p.type_order, p.attribute,
       p.attribute_label, p.attribute_order, p.category, p.category_label, p.category_order,
       p.profile_signals, p.profile_signals_suppressed, p.profile_cases, p.profile_cases_suppressed,
       p.type_signals, p.type_cases, p.signal_share, p.case_share
FROM victim_profile AS p
JOIN chosen USING (period_start)
WHERE p.period_grain = 'year'
ORDER BY p.attribute_order, p.category_order, p.type_order
