-- The FBI rows of the deployment's state in the files that stand for their years (one file per year,
-- staging.stg_context_standing_files), counted and summed straight from raw: what staging and the
-- regional mart must account for (check fbi_rows_all_allocated).
SELECT count(*) AS raw_rows, coalesce(sum(f.actual_count), 0) AS raw_offenses, coalesce(sum(f.cleared_count), 0) AS raw_cleared
FROM raw.context_fbi_cde_human_trafficking AS f
JOIN staging.stg_context_standing_files AS s
    ON s.feed = 'fbi_cde_human_trafficking' AND s.year = f.data_year
   AND s.file_name = f._file_name AND s.file_hash = f._file_hash
CROSS JOIN reference.context_deployment_state AS d
WHERE upper(trim(f.state_abbr)) = upper(d.state_code)
