-- Rows of the batch (lantern_candidates) identical to the current version of their record (same agency
-- and key, every contract column equal): a re-send, not a correction. {raw_table}, {key_match} and
-- {same_values} are filled from the contract (sources/ingest/versions.py).
SELECT c._file_name AS file_name, c._row_number AS row_number,
       any_value(r._file_name) AS first_file, any_value(r._row_number) AS first_row
FROM lantern_candidates AS c
JOIN {raw_table} AS r ON c._agency = r._agency AND {key_match}
WHERE r._superseded_at IS NULL AND {same_values}
GROUP BY ALL
