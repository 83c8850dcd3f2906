-- How many mart tables exist (none before the first models run).
SELECT count(*) FROM information_schema.tables WHERE table_schema = 'marts'
