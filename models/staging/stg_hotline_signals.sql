-- One row per hotline signal that passed its contract. Agency linkage keys are re-keyed, places get
-- their region, venues their sector; free text stops here. Linkage tokens go on to the linkage models
-- (intermediate.int_linkage_*, docs/linkage.md) and no further.
SELECT
    s._agency AS sending_agency,
    s.signal_id,
    lantern_rekey(s.linkage_key) AS situation_key,
    s.linkage_token,
    s.linkage_blocks,
    s.received_date,
    month_start(s.received_date) AS month,
    s.contact_method,
    s.county_fips,
    coalesce(c.region, 'unknown') AS region,
    s.trafficking_type,
    s.venue_type,
    coalesce(v.sector_code, 'not_specified') AS sector_code,
    s.is_case,
    s.people_count,
    s.minors_count,
    s.age_band,
    s.gender,
    s.recruitment,
    s.means_of_control,
    s._file_name AS source_file
FROM raw.hotline_signals AS s
LEFT JOIN reference.counties AS c ON c.fips = s.county_fips
LEFT JOIN reference.industry_sectors AS v ON v.venue_code = s.venue_type
WHERE in_partition(s.received_date)
  -- a big file still being loaded piece by piece counts once its last piece is in (sources/ingest/load.py)
  AND s._file_hash NOT IN (SELECT file_hash FROM raw.files_in_progress)
  -- the current version of each record only, and not a withdrawn one (sources/ingest/versions.py)
  AND s._superseded_at IS NULL
  AND s.record_action IS DISTINCT FROM 'withdraw'
