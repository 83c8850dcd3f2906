-- The case funnel by cohort year (year of first signal), up to the briefing quarter's year.
SELECT * FROM case_funnel WHERE cohort_year <= year($quarter) ORDER BY cohort_year
