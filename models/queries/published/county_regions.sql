SELECT fips, county_name, region, region_label FROM county_regions ORDER BY fips
