-- The headline panels of one release at the grain it shows them, worst first, with the finer grains it
-- did not show (chosen = false) after them.
SELECT panel, measure, grain, rollup, source_table, cells, cells_hidden, true_total, hidden_total, other_total,
       cells_hidden_pct, mass_hidden_pct, other_pct,
       chosen, reason
FROM meta.release_panel_utility
WHERE release_id = $release_id
ORDER BY chosen DESC, mass_hidden_pct DESC NULLS LAST, panel, grain, rollup
