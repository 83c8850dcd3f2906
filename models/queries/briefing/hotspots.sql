-- Emerging hotspots flagged in the briefing quarter.
SELECT * FROM emerging_hotspots WHERE quarter = $quarter ORDER BY q_value, region_label, sector_name
