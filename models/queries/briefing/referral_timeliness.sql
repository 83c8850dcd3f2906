-- Referral timeliness by receiving organisation type, the briefing quarter's year and the year before.
SELECT * FROM referral_timeliness
WHERE year IN (year($quarter), year($quarter) - 1)
ORDER BY year DESC, receiving_org_type <> 'all', receiving_org_type_label
