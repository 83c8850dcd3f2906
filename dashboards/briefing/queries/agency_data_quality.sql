-- Files and rows per agency and feed (operational counts about agencies, not about people).
SELECT agency, org_name, feed, files, rows_read, rows_loaded, rows_quarantined
FROM agency_data_quality ORDER BY org_name, feed
