-- What a release keeps private: the TRUE value of every cell it hid, so the next release can protect its
-- new cells together with them (dashboards/release/carried.py). Never published.
CREATE SCHEMA IF NOT EXISTS meta;
CREATE TABLE IF NOT EXISTS meta.release_hidden (
    release_id VARCHAR NOT NULL,
    table_name VARCHAR NOT NULL,
    count_name VARCHAR NOT NULL,
    cell_key VARCHAR NOT NULL,
    true_value DOUBLE NOT NULL
);

-- Per release, table and count: cells hidden and the share of the true total in hidden cells (internal: the
-- second figure would give the hidden sum away if published; dashboards/release/utility.py).
CREATE TABLE IF NOT EXISTS meta.release_utility (
    release_id VARCHAR NOT NULL,
    table_name VARCHAR NOT NULL,
    count_name VARCHAR NOT NULL,
    cells BIGINT NOT NULL,
    cells_hidden BIGINT NOT NULL,
    true_total DOUBLE,
    hidden_total DOUBLE,
    cells_hidden_pct DOUBLE,
    mass_hidden_pct DOUBLE
);

-- Per release, headline panel, grain offered and roll-up (small categories in "other") (dashboards/release/panels.yaml): cells hidden, the share of
-- the panel's true count in hidden cells, and whether the release shows the panel at that grain. Internal.
CREATE TABLE IF NOT EXISTS meta.release_panel_utility (
    release_id VARCHAR NOT NULL,
    panel VARCHAR NOT NULL,
    measure VARCHAR NOT NULL,
    grain VARCHAR NOT NULL,
    rollup VARCHAR NOT NULL,
    source_table VARCHAR NOT NULL,
    cells BIGINT NOT NULL,
    cells_hidden BIGINT NOT NULL,
    true_total DOUBLE,
    hidden_total DOUBLE,
    other_total DOUBLE,
    cells_hidden_pct DOUBLE,
    mass_hidden_pct DOUBLE,
    other_pct DOUBLE,
    chosen BOOLEAN NOT NULL,
    reason VARCHAR
);
