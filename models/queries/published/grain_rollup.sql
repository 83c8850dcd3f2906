-- The categories each rolled-up panel grain puts into "Other".
SELECT panel, grain, category, member FROM grain_rollup ORDER BY panel, grain, member
