-- § 566.223 notifications of the Children's Division, by year of encounter, up to the briefing quarter's year.
SELECT * FROM child_welfare_notifications WHERE year <= year($quarter) ORDER BY year
