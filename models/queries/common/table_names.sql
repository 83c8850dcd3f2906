-- Every table (and view) of the database.
SELECT table_name FROM information_schema.tables
