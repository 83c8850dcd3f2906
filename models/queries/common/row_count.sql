-- Rows of one of our tables (an asset's `rows_total` metadata).
SELECT count(*) FROM {table}
