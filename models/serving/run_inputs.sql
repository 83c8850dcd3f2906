-- The run manifest's input files: every agency drop behind this serving database, with its SHA-256 and
-- the run that ingested it. Left out on purpose (docs/deployment.md, "Run manifest"):
-- - per-file row counts: a file's rows are records about people and most files hold fewer than 11, so
--   they would be suppressed anyway, at six times the cost of suppressing everything else; the rows are
--   published per agency and feed (agency_data_quality) and per feed (feed_freshness), protected, and
--   per file in the warehouse for operators (`lantern status`);
-- - the file's name (an agency may add free text to it; feed, agency and period say which file it is,
--   the hash proves it) and its size in bytes (it would give the row count away).
SELECT
    manifest.agency,
    organisations.org_name,
    manifest.feed,
    -- by name, not by processing time: the same files give the same numbers however the runs went
    CAST(row_number() OVER (ORDER BY manifest.file_name, manifest.file_hash) AS BIGINT) AS file_number,
    manifest.period,
    manifest.file_format,
    manifest.file_hash AS file_sha256,
    CASE
        WHEN manifest.duplicate_of IS NOT NULL THEN 'duplicate'
        WHEN manifest.status = 'rejected' THEN 'refused'
        ELSE 'loaded'
    END AS file_status,
    manifest.run_id AS ingested_by_run,
    manifest.processed_at
FROM raw.file_manifest AS manifest
JOIN reference.feeds AS feeds ON feeds.feed = manifest.feed
-- registered agencies only: a file named for an unknown agency is refused and its code is not ours to publish
JOIN reference.organisations AS organisations ON organisations.org_id = manifest.agency
ORDER BY file_number
