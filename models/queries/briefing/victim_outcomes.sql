-- Victim outcomes by year, up to the briefing quarter's year.
SELECT * FROM victim_outcomes_yearly WHERE year <= year($quarter) ORDER BY year
