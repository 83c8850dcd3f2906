-- First and last event date of one feed's loaded records.
SELECT min({event_date}) AS first, max({event_date}) AS last FROM raw.{feed}
