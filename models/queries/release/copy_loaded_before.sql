-- A table of loaded rows, as it stood when this release was cut.
CREATE TABLE released.{schema}.{table} AS
SELECT * FROM {warehouse}.{schema}.{table} WHERE {loaded_at} <= (SELECT max(snapshot_at) FROM release_freeze)
