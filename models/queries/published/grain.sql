-- The release's grain table (dashboards/release/grain.py): per headline panel, every grain offered and the one the
-- release chose to show, with what each would hide.
SELECT panel, title, surfaces, measure, grain, grain_rank, source_table, category, rollup, cells, cells_hidden,
       cells_hidden_pct, hidden_share_pct, other_share_pct, holds, chosen, reason
FROM grain
ORDER BY panel, grain_rank
