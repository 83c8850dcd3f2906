-- Linkage coverage per agency and feed as shares of the records it sent.
SELECT
    *,
    share(records_joined_across_agencies, records) AS share_joined_across_agencies,
    share(records_with_signal, records) AS share_with_signal
FROM records_linked
ORDER BY org_name, feed
