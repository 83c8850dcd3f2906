-- Sectors (all trafficking types) in the briefing quarter, with their changes.
SELECT * FROM industry_quarterly
WHERE quarter = $quarter AND trafficking_type = 'all'
ORDER BY sector_code = 'all' DESC, sector_code = 'not_specified', sector_name
