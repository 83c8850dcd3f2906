-- FBI CDE human-trafficking offenses (public), one row per agency x year x offense subcategory, every state.
-- Each year's figures come from the one file that stands for it (staging.stg_context_standing_files: never a
-- blend of two downloads). Real extracts repeat a key in many rows, some byte-identical, some negative
-- adjustments (-1): the FBI's published figures are the SUM of them, so the rows of a key are summed here
-- (descriptive columns from the key's first row). Rows of the deployment's state get a county and region:
--   the agency's COUNTY_NAME is split on ';', each name normalised (upper case, punctuation and the word
--   COUNTY dropped, SAINT -> ST, SAINTE -> STE, DE KALB -> DEKALB) and matched to the reference counties
--   normalised the same way ('ST LOUIS' is St. Louis County, 'ST LOUIS CITY' is St. Louis city);
--   the row goes whole to the FIRST listed name that matches (counts stay whole numbers and are never
--   counted twice); no county, or no name that matches, leaves it 'unallocated' (statewide), never dropped.
WITH latest AS (
    SELECT
        f.data_year, f.ori, f.offense_subcat_id,
        arg_min(f.pub_agency_name, f._row_number) AS pub_agency_name,
        arg_min(f.agency_type_name, f._row_number) AS agency_type_name,
        arg_min(f.state_abbr, f._row_number) AS state_abbr,
        arg_min(f.state_name, f._row_number) AS state_name,
        arg_min(f.county_name, f._row_number) AS county_name,
        arg_min(f.offense_subcat_name, f._row_number) AS offense_subcat_name,
        sum(f.actual_count) AS actual_count,
        sum(f.unfounded_count) AS unfounded_count,
        sum(f.cleared_count) AS cleared_count,
        sum(f.juvenile_cleared_count) AS juvenile_cleared_count,
        count(*) AS file_rows,
        f._file_name
    FROM raw.context_fbi_cde_human_trafficking AS f
    JOIN staging.stg_context_standing_files AS s
        ON s.feed = 'fbi_cde_human_trafficking' AND s.year = f.data_year
       AND s.file_name = f._file_name AND s.file_hash = f._file_hash
    GROUP BY f.data_year, f.ori, f.offense_subcat_id, f._file_name
),
scoped AS (
    SELECT latest.*, upper(trim(latest.state_abbr)) = upper(d.state_code) AS is_deployment_state
    FROM latest CROSS JOIN reference.context_deployment_state AS d
),
listed AS (
    SELECT s.data_year, s.ori, s.offense_subcat_id, trim(u.name) AS listed_name, u.position
    FROM scoped AS s,
         unnest(str_split(s.county_name, ';')) WITH ORDINALITY AS u(name, position)
    WHERE s.is_deployment_state AND trim(u.name) <> ''
),
names AS (
    SELECT DISTINCT listed_name AS name FROM listed
    UNION SELECT county_name FROM reference.counties
),
keyed AS (
    -- county_key (models/macros.sql) is the one place county names are normalised, file and reference alike.
    SELECT name, county_key(name) AS county_key
    FROM names
),
reference_keys AS (
    SELECT k.county_key, c.fips, c.region, c.region_label
    FROM reference.counties AS c JOIN keyed AS k ON k.name = c.county_name
),
matched AS (
    SELECT l.data_year, l.ori, l.offense_subcat_id, l.position, r.fips, r.region, r.region_label
    FROM listed AS l
    JOIN keyed AS k ON k.name = l.listed_name
    LEFT JOIN reference_keys AS r USING (county_key)
),
per_row AS (
    SELECT
        data_year, ori, offense_subcat_id,
        count(*) AS listed_counties,
        count(fips) AS recognised_counties,
        arg_min(fips, position) FILTER (WHERE fips IS NOT NULL) AS county_fips,
        arg_min(region, position) FILTER (WHERE fips IS NOT NULL) AS region,
        arg_min(region_label, position) FILTER (WHERE fips IS NOT NULL) AS region_label,
        count(DISTINCT region) > 1 AS spans_regions
    FROM matched
    GROUP BY ALL
)
SELECT
    s.data_year AS year,
    s.ori,
    s.pub_agency_name AS agency_name,
    s.agency_type_name AS agency_type,
    upper(trim(s.state_abbr)) AS state_abbr,
    s.state_name,
    s.is_deployment_state,
    s.offense_subcat_id,
    s.offense_subcat_name,
    o.offense_code AS offense,
    CAST(s.actual_count AS BIGINT) AS actual_offenses,
    CAST(coalesce(s.unfounded_count, 0) AS BIGINT) AS unfounded,
    CAST(coalesce(s.cleared_count, 0) AS BIGINT) AS cleared,
    CAST(coalesce(s.juvenile_cleared_count, 0) AS BIGINT) AS juvenile_cleared,
    s.file_rows,
    s.county_name AS listed_county_names,
    coalesce(p.listed_counties, 0) AS listed_counties,
    p.county_fips,
    CASE WHEN s.is_deployment_state THEN coalesce(p.region, 'unallocated') END AS region,
    CASE WHEN s.is_deployment_state THEN coalesce(p.region_label, 'Statewide / unallocated') END AS region_label,
    CASE
        WHEN NOT s.is_deployment_state THEN 'other state'
        WHEN coalesce(p.listed_counties, 0) = 0 THEN 'unallocated: no county listed'
        WHEN p.county_fips IS NULL THEN 'unallocated: county not recognised'
        WHEN p.listed_counties = 1 THEN 'county'
        ELSE 'first listed county'
    END AS allocation,
    coalesce(p.spans_regions, false) AS spans_regions,
    s._file_name AS source_file
FROM scoped AS s
JOIN reference.context_offense_subcategories AS o
    ON contains(lower(s.offense_subcat_name), o.name_part)
LEFT JOIN per_row AS p USING (data_year, ori, offense_subcat_id)
