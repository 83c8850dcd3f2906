-- FBI rows, offenses and clearances in the regional mart.
SELECT coalesce(sum(agency_rows), 0), coalesce(sum(actual_offenses), 0), coalesce(sum(cleared), 0)
FROM marts.mart_context_fbi_region_year
