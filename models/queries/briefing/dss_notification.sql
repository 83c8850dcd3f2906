-- § 566.223 over the people law enforcement met (adults and minors), by year of encounter up to the briefing
-- quarter's year; all people first, then minors and adults.
SELECT * FROM dss_notification_compliance
WHERE year <= year($quarter) AND person_group <> 'unknown'
ORDER BY year, person_group = 'all' DESC, person_group = 'minor' DESC
