SELECT feed, feed_title, data_as_of, last_file_loaded_at, files, rows_loaded, rows_quarantined
FROM feed_freshness
ORDER BY feed
