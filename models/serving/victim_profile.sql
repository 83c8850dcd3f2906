-- The victim profile, statewide: for each quarter and each year, each trafficking type (and 'all'), and each
-- profile attribute (age band, gender, recruitment, means of control, contact method), the signals and cases
-- in each category of the attribute. One-way (marginal) distributions, one attribute at a time, as the
-- national hotline's state pages, CTDC and OVC's TIMS publish them: never a cross-tabulation of attributes.
-- Every attribute holds one code per signal ('not_recorded' when the field was empty), so within a period and
-- type the categories of each attribute add up to the signals (and cases) of industry_quarterly's
-- sector 'all' row: this table is protected against those totals (published_tables.yaml `profile_of`,
-- dashboards/disclosure/profile.py). Every combination is present, so a zero is a published zero.
-- Codes are published in the categories of reference.profile_categories (sources/reference/profile_categories.csv).
WITH attributes AS (
    SELECT * FROM (VALUES
        ('age_band', 'Age band', 1),
        ('gender', 'Gender', 2),
        ('recruitment', 'Recruitment', 3),
        ('means_of_control', 'Means of control', 4),
        ('contact_method', 'Contact method', 5)
    ) AS a(attribute, attribute_label, attribute_order)
),
-- each code is published in its category of reference.profile_categories (small codes grouped, 'unknown' and
-- an empty field together as 'not_known', kept explicit)
categories AS (
    SELECT DISTINCT a.attribute, a.attribute_label, a.attribute_order, c.category, c.category_label,
           c.category_order
    FROM attributes AS a
    JOIN reference.profile_categories AS c ON c.attribute = a.attribute
),
types AS (
    SELECT code AS trafficking_type, label AS trafficking_type_label, code_order AS type_order
    FROM reference.code_labels
    WHERE code_list = 'trafficking_type'
    UNION ALL
    SELECT 'all', 'All types', 0
),
periods AS (
    SELECT 'quarter' AS period_grain, quarter AS period_start, quarter_label(quarter) AS period, year,
           count(*) AS months_loaded
    FROM intermediate.int_calendar_months
    GROUP BY ALL
    UNION ALL
    SELECT 'year', make_date(year, 1, 1), CAST(year AS VARCHAR), year, count(*)
    FROM intermediate.int_calendar_months
    GROUP BY ALL
),
by_period AS (
    SELECT p.period_grain, p.period_start, m.trafficking_type, m.attribute, grouped.category,
           sum(m.signals) AS signals, sum(m.cases) AS cases
    FROM marts.mart_victim_profile_monthly AS m
    JOIN reference.profile_categories AS grouped ON grouped.attribute = m.attribute AND grouped.code = m.category
    JOIN periods AS p
        ON (p.period_grain = 'quarter' AND p.period_start = quarter_start(m.month))
        OR (p.period_grain = 'year' AND p.year = CAST(year(m.month) AS INTEGER))
    GROUP BY ALL
),
cells AS (
    SELECT period_grain, period_start, coalesce(trafficking_type, 'all') AS trafficking_type, attribute, category,
           sum(signals) AS signals, sum(cases) AS cases
    FROM by_period
    GROUP BY GROUPING SETS ((period_grain, period_start, trafficking_type, attribute, category),
                            (period_grain, period_start, attribute, category))
)
SELECT
    p.period,
    p.period_grain,
    p.period_start,
    p.year,
    p.months_loaded,
    t.trafficking_type,
    t.trafficking_type_label,
    t.type_order,
    c.attribute,
    c.attribute_label,
    c.attribute_order,
    c.category,
    c.category_label,
    c.category_order,
    CAST(coalesce(cells.signals, 0) AS BIGINT) AS profile_signals,
    CAST(coalesce(cells.cases, 0) AS BIGINT) AS profile_cases
FROM periods AS p
CROSS JOIN types AS t
CROSS JOIN categories AS c
LEFT JOIN cells
    ON cells.period_grain = p.period_grain AND cells.period_start = p.period_start
   AND cells.trafficking_type = t.trafficking_type AND cells.attribute = c.attribute
   AND cells.category = c.category
ORDER BY p.period_grain DESC, p.period_start, t.type_order, c.attribute_order, c.category_order
