-- The hidden cells of one release, with their true values.
SELECT table_name, count_name, cell_key, true_value FROM meta.release_hidden WHERE release_id = $release_id
