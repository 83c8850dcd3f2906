-- Files and rows per agency and feed; counts are disclosure-protected in the serving build (NULL when
-- suppressed, with a *_suppressed flag).
SELECT agency, org_name, feed, files, files_suppressed, rows_read, rows_read_suppressed,
       rows_quarantined, rows_quarantined_suppressed
FROM agency_data_quality ORDER BY org_name, feed
