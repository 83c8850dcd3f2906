-- One row per referral that passed its contract, with both organisations' types and regions.
SELECT
    r._agency AS sending_agency,
    r.referral_id,
    lantern_rekey(r.linkage_key) AS situation_key,
    r.linkage_token,
    r.linkage_blocks,
    lantern_rekey(r.referral_key) AS referral_situation_key,
    r.referral_date,
    month_start(r.referral_date) AS month,
    r.encounter_date,
    r.referring_org_id,
    referring.org_type AS referring_org_type,
    coalesce(referring_county.region, 'unknown') AS referring_region,
    r.receiving_org_id,
    receiving.org_type AS receiving_org_type,
    r.service,
    r.status,
    r.status_date,
    r.service_start_date,
    r.case_status,
    r.minor,
    r._file_name AS source_file
FROM raw.referrals AS r
JOIN reference.organisations AS referring ON referring.org_id = r.referring_org_id
JOIN reference.organisations AS receiving ON receiving.org_id = r.receiving_org_id
LEFT JOIN reference.counties AS referring_county ON referring_county.fips = referring.county_fips
WHERE in_partition(r.referral_date)
  -- a big file still being loaded piece by piece counts once its last piece is in (sources/ingest/load.py)
  AND r._file_hash NOT IN (SELECT file_hash FROM raw.files_in_progress)
  -- the current version of each record only, and not a withdrawn one (sources/ingest/versions.py)
  AND r._superseded_at IS NULL
  AND r.record_action IS DISTINCT FROM 'withdraw'
