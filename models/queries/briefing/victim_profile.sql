-- The victim profile for the briefing: the briefing quarter (all types) and the latest complete year up to the
-- quarter's year (all types, sex, labor), every attribute's categories, as published.
WITH chosen_year AS (
    SELECT max(period_start) AS period_start
    FROM victim_profile
    WHERE period_grain = 'year' AND months_loaded = 12 AND year <= year($quarter)
)
SELECT p.*
FROM victim_profile AS p
WHERE (p.period_grain = 'quarter' AND p.period_start = $quarter AND p.trafficking_type = 'all')
   OR (p.period_grain = 'year' AND p.period_start = (SELECT period_start FROM chosen_year)
       AND p.trafficking_type IN ('all', 'sex', 'labor'))
ORDER BY p.attribute_order, p.category_order, p.period_grain, p.type_order
