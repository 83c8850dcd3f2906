DELETE FROM meta.{table} WHERE release_id = ?
