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
