-- Linkage coverage of the funnel: the share of the year's case-outcome events that link to a hotline signal.
SELECT *, share(outcome_events_linked, outcome_events) AS outcome_link_share
FROM case_funnel
ORDER BY cohort_year
