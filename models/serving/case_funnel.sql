-- The path of situations first signalled in each year: signal -> case -> investigation -> charge ->
-- conviction (trial or plea), with the median days between consecutive stages. A later stage counts
-- only situations that also reached the stages before it. Linkage coverage (by year of the event, like the
-- victim outcomes): the case-outcome events of the year and how many link by situation key to a hotline signal;
-- an event that links to none is outside every cohort, so the funnel cannot count it.
WITH linked_events AS (
    SELECT year, count(*) AS outcome_events, count(*) FILTER (WHERE linked_to_signal) AS outcome_events_linked
    FROM marts.mart_outcome_event_linkage
    GROUP BY year
),
staged AS (
    SELECT
        cohort_year,
        is_case,
        is_case AND investigation_date IS NOT NULL AS investigated,
        is_case AND investigation_date IS NOT NULL AND charge_date IS NOT NULL AS charged,
        is_case AND investigation_date IS NOT NULL AND charge_date IS NOT NULL AND conviction_date IS NOT NULL AS convicted,
        date_diff('day', first_signal_date, investigation_date) AS days_signal_to_investigation,
        date_diff('day', investigation_date, charge_date) AS days_investigation_to_charge,
        date_diff('day', charge_date, conviction_date) AS days_charge_to_conviction
    FROM marts.mart_situation_timeline
)
SELECT
    years.year AS cohort_year,
    CAST(count(s.cohort_year) AS BIGINT) AS situations_signalled,
    CAST(count(*) FILTER (WHERE s.is_case) AS BIGINT) AS situations_case,
    CAST(count(*) FILTER (WHERE s.investigated) AS BIGINT) AS situations_investigated,
    CAST(count(*) FILTER (WHERE s.charged) AS BIGINT) AS situations_charged,
    CAST(count(*) FILTER (WHERE s.convicted) AS BIGINT) AS situations_convicted,
    CAST(median(s.days_signal_to_investigation) FILTER (WHERE s.investigated) AS DOUBLE) AS median_days_signal_to_investigation,
    CAST(median(s.days_investigation_to_charge) FILTER (WHERE s.charged) AS DOUBLE) AS median_days_investigation_to_charge,
    CAST(median(s.days_charge_to_conviction) FILTER (WHERE s.convicted) AS DOUBLE) AS median_days_charge_to_conviction,
    CAST(coalesce(any_value(l.outcome_events), 0) AS BIGINT) AS outcome_events,
    CAST(coalesce(any_value(l.outcome_events_linked), 0) AS BIGINT) AS outcome_events_linked
FROM (SELECT DISTINCT year FROM intermediate.int_calendar_months) AS years
LEFT JOIN staged AS s ON s.cohort_year = years.year
LEFT JOIN linked_events AS l ON l.year = years.year
GROUP BY years.year
ORDER BY cohort_year
