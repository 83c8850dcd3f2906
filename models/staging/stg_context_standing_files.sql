-- Which file stands for each public context feed and year (docs/public-context.md, "Two extracts of the
-- same years"): every figure of a year comes from ONE file, never a row-by-row blend of two downloads that
-- matches neither. The file that stands is the one from the latest ingest run; among files dropped together
-- (one run), the newest download (the file's modification time), then the greatest file name. A file
-- counts for every year it holds, loaded or quarantined rows alike, so a year whose newest file was
-- quarantined whole is reported as such instead of an older file silently standing in.
WITH file_years AS (
    SELECT 'fbi_cde_human_trafficking' AS feed, _file_name AS file_name, _file_hash AS file_hash, data_year AS year
    FROM raw.context_fbi_cde_human_trafficking
    UNION
    SELECT 'national_hotline_state_statistics', _file_name, _file_hash, year
    FROM raw.context_national_hotline_state_statistics
    UNION
    SELECT feed, file_name, file_hash,
           try_cast(json_extract_string(masked_record,
                    CASE feed WHEN 'fbi_cde_human_trafficking' THEN '$.data_year' ELSE '$.year' END) AS INTEGER)
    FROM raw.quarantine
    WHERE feed IN ('fbi_cde_human_trafficking', 'national_hotline_state_statistics')
),
files AS (
    SELECT
        m.feed, m.file_name, m.file_hash, m.status, m.rows_read, m.rows_loaded, m.rows_quarantined,
        m.file_modified_at, m.processed_at,
        -- files of one run were dropped together; a run's files are ordered by download, not processing
        min(m.processed_at) OVER (PARTITION BY m.feed, coalesce(m.run_id, m.file_hash)) AS run_started_at
    FROM raw.file_manifest AS m
    WHERE m.feed IN ('fbi_cde_human_trafficking', 'national_hotline_state_statistics')
)
SELECT
    y.feed,
    CAST(y.year AS INTEGER) AS year,
    f.file_name,
    f.file_hash,
    f.status AS file_status,
    f.rows_read AS file_rows_read,
    f.rows_loaded AS file_rows_loaded,
    f.rows_quarantined AS file_rows_quarantined,
    f.rows_quarantined > 0 AS file_partial,
    f.file_modified_at,
    f.processed_at
FROM file_years AS y
JOIN files AS f USING (feed, file_name, file_hash)
WHERE y.year IS NOT NULL
QUALIFY row_number() OVER (PARTITION BY y.feed, y.year
                           ORDER BY f.run_started_at DESC, f.file_modified_at DESC, f.file_name DESC) = 1
