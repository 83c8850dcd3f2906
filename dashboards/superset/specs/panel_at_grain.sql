-- The tail of every headline-panel dataset drawn at its release's grain (serving.yaml, `{panel_at_grain|<others>}`):
-- given CTEs `chosen` (the panel's chosen `grain` row: panel, grain, rollup), `cells` (grain, period_start, category,
-- category_label, value, hidden: the panel's cells at every grain offered) and `totals` (grain, period_start, value,
-- hidden: its published total per period), it keeps the chosen grain's complete periods, rolls the release's
-- `grain_rollup` members into "Other" (the published total minus the categories shown, NULL where that total is
-- hidden, as dashboards/panels.py draws it) and never shows a count of 1..k-1. CTE `panel_at_grain`: period_start,
-- grain, period_label, category, category_label, category_marked (the label with its suppressed periods), signals,
-- signals_suppressed. `{others}`: what "Other" holds, in words ("small sectors").
rolled AS (
  SELECT r.member FROM grain_rollup AS r
  JOIN chosen AS c ON r.panel = c.panel AND r.grain = c.grain AND c.rollup = 'other'),
period_totals AS (
  SELECT period_start, CASE WHEN bool_or(coalesce(hidden, false) OR value IS NULL) THEN NULL
                            ELSE sum(value) END AS total
  FROM totals JOIN chosen USING (grain) GROUP BY period_start),
panel_cells AS (
  SELECT c.period_start, c.category, coalesce(nullif(c.category_label, ''), c.category) AS category_label,
         c.value, coalesce(c.hidden, false) OR c.value IS NULL AS hidden,
         c.category IN (SELECT member FROM rolled) AS in_other
  FROM cells AS c JOIN chosen USING (grain)
  WHERE c.period_start IN (SELECT period_start FROM period_totals)),
other AS (
  SELECT t.period_start, 'other' AS category, 'Other' AS category_label,
         t.total - coalesce(sum(p.value) FILTER (WHERE NOT p.in_other AND NOT p.hidden), 0) AS value
  FROM period_totals AS t LEFT JOIN panel_cells AS p USING (period_start)
  WHERE EXISTS (SELECT 1 FROM rolled)
  GROUP BY t.period_start, t.total),
min_cell AS (SELECT CAST(value AS INTEGER) AS k FROM publication WHERE key = 'min_cell_count'),
drawn AS (
  SELECT period_start, category, category_label, CASE WHEN hidden THEN NULL ELSE value END AS value
  FROM panel_cells WHERE NOT in_other
  UNION ALL
  SELECT period_start, category, category_label, value FROM other),
-- as dashboards/panels.py: a count of 1..k-1 is never shown (the outputs' last line of defence)
protected AS (
  SELECT d.period_start, d.category, d.category_label,
         CASE WHEN d.value BETWEEN 1 AND m.k - 1 THEN NULL ELSE d.value END AS signals
  FROM drawn AS d CROSS JOIN min_cell AS m),
panel_at_grain AS (
  SELECT p.period_start, c.grain,
         CASE c.grain WHEN 'month' THEN strftime(p.period_start, '%B %Y')
                      WHEN 'quarter' THEN strftime(p.period_start, '%Y') || 'Q' || CAST(quarter(p.period_start) AS VARCHAR)
                      ELSE strftime(p.period_start, '%Y') END AS period_label,
         p.category, p.category_label,
         CASE WHEN p.category = 'other'
              THEN 'Other (' || (SELECT count(DISTINCT category) FROM panel_cells WHERE in_other)
                   || ' {others} together)'
              ELSE p.category_label END
         || CASE WHEN count(*) FILTER (WHERE p.signals IS NULL) OVER w > 0
                 THEN ' (' || count(*) FILTER (WHERE p.signals IS NULL) OVER w || ' of ' || count(*) OVER w
                      || ' ' || c.grain || 's suppressed)' ELSE '' END AS category_marked,
         p.signals, p.signals IS NULL AS signals_suppressed
  FROM protected AS p CROSS JOIN chosen AS c
  WINDOW w AS (PARTITION BY p.category))
