-- Every version of a record the batch touched that is older than the record's newest (by load time, then
-- file name and row) is marked superseded at $now; the newest is the current version. Rows are never
-- deleted: raw keeps the history. {raw_table} and {key_columns} are filled from the contract.
UPDATE {raw_table} AS r SET _superseded_at = $now
FROM (
    SELECT _file_name, _file_hash, _row_number
    FROM (
        SELECT _file_name, _file_hash, _row_number,
               row_number() OVER (PARTITION BY _agency, {key_columns}
                                  ORDER BY _loaded_at DESC, _file_name DESC, _row_number DESC) AS newness
        FROM {raw_table}
        WHERE _superseded_at IS NULL
          AND (_agency, {key_columns}) IN (
              SELECT (_agency, {key_columns}) FROM {raw_table}
              WHERE (_file_name, _file_hash) IN (SELECT (file_name, file_hash) FROM lantern_batch_files))
    )
    WHERE newness > 1
) AS older
WHERE r._file_name = older._file_name AND r._file_hash = older._file_hash AND r._row_number = older._row_number
