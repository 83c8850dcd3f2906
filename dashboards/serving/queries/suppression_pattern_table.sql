-- The last suppression pattern with each hidden cell's TRUE value: private pipeline state (the warehouse
-- holds the raw rows anyway), never published. The next build starts from it (dashboards/disclosure/suppress.py).
CREATE SCHEMA IF NOT EXISTS meta;
CREATE TABLE IF NOT EXISTS meta.suppression_pattern (
    table_name VARCHAR NOT NULL,
    count_name VARCHAR NOT NULL,
    cell_key VARCHAR NOT NULL,
    true_value DOUBLE NOT NULL,
    min_cell_count INTEGER NOT NULL,
    run_id VARCHAR
);
