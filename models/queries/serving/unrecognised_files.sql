-- Files in the inbox whose name named no known feed and agency: refused whole, so behind no published
-- number; the run manifest counts them (names and reasons are in `lantern status`, for operators).
SELECT count(*) FROM raw.file_manifest WHERE agency IS NULL OR feed IS NULL
