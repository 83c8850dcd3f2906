-- A model rebuilt whole: its table replaced by what its SQL selects.
CREATE OR REPLACE TABLE {table} AS
{model_sql}
