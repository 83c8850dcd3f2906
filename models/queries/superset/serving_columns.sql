-- The columns of every published table (a spec may only name columns that exist).
SELECT table_name, column_name FROM information_schema.columns
