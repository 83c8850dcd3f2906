-- How current each feed is: the latest event date loaded and the latest file processed.
WITH latest_event AS (
    SELECT 'hotline_signals' AS feed, max(received_date) AS data_as_of FROM raw.hotline_signals
    UNION ALL SELECT 'referrals', max(referral_date) FROM raw.referrals
    UNION ALL SELECT 'case_outcomes', max(event_date) FROM raw.case_outcomes
),
files AS (
    SELECT
        feed,
        max(processed_at) AS last_file_loaded_at,
        count(*) AS files,
        sum(rows_loaded) AS rows_loaded,
        sum(rows_quarantined) AS rows_quarantined
    FROM raw.file_manifest
    -- the same files as agency_data_quality and run_inputs, so the disclosure audit sees these totals
    -- as their sums (a total over a different population would give a hidden cell away by subtraction)
    WHERE feed IS NOT NULL AND agency IN (SELECT org_id FROM reference.organisations)
    GROUP BY feed
)
SELECT
    latest_event.feed,
    feeds.title AS feed_title,
    feeds.expected_every_days,
    latest_event.data_as_of,
    files.last_file_loaded_at,
    coalesce(files.files, 0) AS files,
    coalesce(files.rows_loaded, 0) AS rows_loaded,
    coalesce(files.rows_quarantined, 0) AS rows_quarantined
FROM latest_event
JOIN reference.feeds AS feeds USING (feed)
LEFT JOIN files USING (feed)
ORDER BY latest_event.feed
