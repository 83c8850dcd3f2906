-- One row per case-outcome event that passed its contract, placed in a region when the county is known.
SELECT
    o._agency AS sending_agency,
    reporting.org_type AS reporting_org_type,
    o.event_id,
    lantern_rekey(o.linkage_key) AS situation_key,
    o.linkage_token,
    o.linkage_blocks,
    lantern_rekey(o.referral_key) AS referral_situation_key,
    o.event_date,
    month_start(o.event_date) AS month,
    o.event_type,
    o.county_fips,
    coalesce(c.region, 'unknown') AS region,
    o.minor,
    o.amount_usd,
    o._file_name AS source_file
FROM raw.case_outcomes AS o
JOIN reference.organisations AS reporting ON reporting.org_id = o._agency
LEFT JOIN reference.counties AS c ON c.fips = o.county_fips
WHERE in_partition(o.event_date)
  -- a big file still being loaded piece by piece counts once its last piece is in (sources/ingest/load.py)
  AND o._file_hash NOT IN (SELECT file_hash FROM raw.files_in_progress)
  -- the current version of each record only, and not a withdrawn one (sources/ingest/versions.py)
  AND o._superseded_at IS NULL
  AND o.record_action IS DISTINCT FROM 'withdraw'
