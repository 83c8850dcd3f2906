-- Every table and view of the candidate (the guard allows declared base tables in main only).
SELECT table_schema, table_name, table_type FROM information_schema.tables ORDER BY ALL
