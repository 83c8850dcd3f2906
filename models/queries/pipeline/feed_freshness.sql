-- When a file of the feed last loaded, and its newest event date.
SELECT (SELECT max(processed_at) FROM raw.file_manifest WHERE feed = ? AND status = 'loaded'),
       (SELECT max({event_date}) FROM raw.{feed})
