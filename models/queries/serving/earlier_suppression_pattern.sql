-- The pattern the last build recorded, if it used today's threshold (another threshold starts afresh).
SELECT table_name, count_name, cell_key, true_value
FROM meta.suppression_pattern
WHERE min_cell_count = $min_cell_count
