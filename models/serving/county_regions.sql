-- Which region each county belongs to, for maps (reference data, no counts).
SELECT fips, county_name, region, region_label
FROM reference.counties
ORDER BY fips
