-- The utility recorded for one release, worst first.
SELECT table_name, count_name, cells, cells_hidden, cells_hidden_pct, mass_hidden_pct
FROM meta.release_utility
WHERE release_id = $release_id
ORDER BY mass_hidden_pct DESC NULLS LAST, table_name, count_name
