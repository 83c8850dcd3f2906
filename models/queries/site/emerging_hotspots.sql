SELECT quarter_label, region_label, sector_name, observed, expected, seasonal_factor, ratio, p_value, q_value, cells_tested
FROM emerging_hotspots
ORDER BY quarter DESC, q_value, region_label, sector_name
