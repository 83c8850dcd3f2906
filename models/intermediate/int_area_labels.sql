-- Names of every area a published table can show: counties, regions of the configured scheme, the state.
SELECT 'county' AS area_level, fips AS county, region, county_name AS area_name FROM reference.counties
UNION ALL SELECT 'county', 'unknown', 'unknown', 'County not reported'
UNION ALL SELECT DISTINCT 'region', 'all', region, region_label FROM reference.counties
UNION ALL SELECT 'region', 'all', 'unknown', 'County not reported'
UNION ALL SELECT 'state', 'all', 'all', 'Statewide'
