-- A model built into a fresh catalog: its table made from what its SQL selects.
CREATE TABLE {table} AS
{model_sql}
