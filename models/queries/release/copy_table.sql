-- A warehouse table copied whole into the release's catalog (reference data, public context files).
CREATE TABLE released.{schema}.{table} AS SELECT * FROM {warehouse}.{schema}.{table}
