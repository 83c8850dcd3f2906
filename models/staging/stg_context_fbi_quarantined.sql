-- FBI rows of the deployment's state quarantined from the files that stand for their years, placed in a
-- region by the same rule as the loaded rows (the first listed county recognised, else 'unallocated'), read
-- from the masked record the quarantine keeps. A region-year whose agencies reported but whose rows were
-- refused then reads "rows quarantined", never "no agency reported". A row whose year or state cannot be
-- read is not placed here; its file is partial, which the context panel says (docs/public-context.md).
WITH quarantined AS (
    SELECT
        q.file_name, q.file_hash, q.row_number, q.rule,
        try_cast(json_extract_string(q.masked_record, '$.data_year') AS INTEGER) AS year,
        upper(trim(json_extract_string(q.masked_record, '$.state_abbr'))) AS state_abbr,
        json_extract_string(q.masked_record, '$.county_name') AS county_name
    FROM raw.quarantine AS q
    WHERE q.feed = 'fbi_cde_human_trafficking'
),
in_state AS (
    SELECT quarantined.*
    FROM quarantined
    JOIN staging.stg_context_standing_files AS s
        ON s.feed = 'fbi_cde_human_trafficking' AND s.year = quarantined.year
       AND s.file_name = quarantined.file_name AND s.file_hash = quarantined.file_hash
    CROSS JOIN reference.context_deployment_state AS d
    WHERE quarantined.state_abbr = upper(d.state_code)
),
listed AS (
    SELECT i.file_name, i.row_number, trim(u.name) AS listed_name, u.position
    FROM in_state AS i,
         unnest(str_split(coalesce(i.county_name, ''), ';')) WITH ORDINALITY AS u(name, position)
    WHERE trim(u.name) <> ''
),
reference_keys AS (
    SELECT county_key(county_name) AS county_key, fips, region FROM reference.counties
),
placed AS (
    SELECT l.file_name, l.row_number, arg_min(r.region, l.position) FILTER (WHERE r.fips IS NOT NULL) AS region
    FROM listed AS l
    LEFT JOIN reference_keys AS r ON r.county_key = county_key(l.listed_name)
    GROUP BY l.file_name, l.row_number
)
SELECT
    i.year,
    coalesce(p.region, 'unallocated') AS region,
    i.file_name AS source_file,
    i.row_number,
    i.rule
FROM in_state AS i
LEFT JOIN placed AS p USING (file_name, row_number)
