-- What disclosure control remembers between builds: private pipeline state, never published
-- (dashboards/serving/disclosure_memory.py).
CREATE SCHEMA IF NOT EXISTS meta;

-- The last suppression pattern with each hidden cell's TRUE value. The next build starts from it.
CREATE TABLE IF NOT EXISTS meta.suppression_pattern (
    table_name VARCHAR NOT NULL,
    count_name VARCHAR NOT NULL,
    cell_key VARCHAR NOT NULL,
    true_value DOUBLE NOT NULL,
    min_cell_count INTEGER NOT NULL,
    run_id VARCHAR
);

-- The audit's answer per component LP, under the SHA-256 of that LP (dashboards/disclosure/proofs.py):
-- the range of each hidden cell, in the LP's canonical order.
CREATE TABLE IF NOT EXISTS meta.disclosure_proofs (
    proof_key VARCHAR NOT NULL,
    low DOUBLE[] NOT NULL,
    high DOUBLE[] NOT NULL,
    n_lp BIGINT NOT NULL,
    run_id VARCHAR
);
