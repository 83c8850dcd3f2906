-- Whether meta.<name> exists (asked before reading it: a read-only connection creates nothing).
SELECT count(*) FROM information_schema.tables WHERE table_schema = 'meta' AND table_name = ?
