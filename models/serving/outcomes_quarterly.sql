-- Investigations opened, arrests, charges filed (and their state / federal split), convictions (trial or
-- plea), dismissals, acquittals, sentences, and victim services started and completed, per quarter x region,
-- with statewide totals (region = 'all'), every quarter and region present.
WITH grid AS (
    SELECT DISTINCT calendar.quarter, regions.region, regions.region_label
    FROM intermediate.int_calendar_months AS calendar
    CROSS JOIN (SELECT region, region_label FROM intermediate.int_region_population
                UNION ALL SELECT 'unknown', 'County not reported') AS regions
),
cells AS (
    SELECT grid.quarter, grid.region, grid.region_label,
           coalesce(sum(o.investigations), 0) AS investigations, coalesce(sum(o.arrests), 0) AS arrests,
           coalesce(sum(o.charges), 0) AS charges, coalesce(sum(o.convictions), 0) AS convictions,
           coalesce(sum(o.charges_state), 0) AS charges_state,
           coalesce(sum(o.charges_federal), 0) AS charges_federal,
           coalesce(sum(o.dismissals), 0) AS dismissals,
           coalesce(sum(o.acquittals), 0) AS acquittals,
           coalesce(sum(o.sentences), 0) AS sentences,
           coalesce(sum(o.services_started), 0) AS services_started,
           coalesce(sum(o.services_completed), 0) AS services_completed
    FROM grid
    LEFT JOIN marts.mart_quarterly_outcomes AS o USING (quarter, region)
    GROUP BY ALL
)
SELECT
    quarter,
    quarter_label(quarter) AS quarter_label,
    coalesce(region, 'all') AS region,
    CASE WHEN region IS NULL THEN 'Statewide' ELSE any_value(region_label) END AS region_label,
    CAST(sum(investigations) AS BIGINT) AS investigations,
    CAST(sum(arrests) AS BIGINT) AS arrests,
    CAST(sum(charges) AS BIGINT) AS charges,
    CAST(sum(convictions) AS BIGINT) AS convictions,
    CAST(sum(charges_state) AS BIGINT) AS charges_state,
    CAST(sum(charges_federal) AS BIGINT) AS charges_federal,
    CAST(sum(dismissals) AS BIGINT) AS dismissals,
    CAST(sum(acquittals) AS BIGINT) AS acquittals,
    CAST(sum(sentences) AS BIGINT) AS sentences,
    CAST(sum(services_started) AS BIGINT) AS services_started,
    CAST(sum(services_completed) AS BIGINT) AS services_completed
FROM cells
GROUP BY GROUPING SETS ((quarter, region), (quarter))
ORDER BY quarter, region
