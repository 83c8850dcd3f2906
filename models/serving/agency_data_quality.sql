-- Files and rows each agency sent per feed, and how many rows were quarantined: the coverage and data
-- quality of the intake (counts are protected like every other count).
SELECT
    manifest.agency,
    organisations.org_name,
    manifest.feed,
    count(*) AS files,
    coalesce(sum(manifest.rows_read), 0) AS rows_read,
    coalesce(sum(manifest.rows_quarantined), 0) AS rows_quarantined
FROM raw.file_manifest AS manifest
JOIN reference.feeds AS feeds ON feeds.feed = manifest.feed
-- registered agencies only: a file named for an unknown agency is refused and its code is not ours to publish
JOIN reference.organisations AS organisations ON organisations.org_id = manifest.agency
GROUP BY ALL
ORDER BY org_name, manifest.feed
