-- The warehouse's base tables of the schemas copied into the release's catalog (schemas: one ? each).
SELECT table_schema, table_name FROM information_schema.tables
WHERE table_catalog = ? AND table_schema IN ({schemas}) AND table_type = 'BASE TABLE'
