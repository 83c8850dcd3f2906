SELECT text FROM caveats WHERE caveat_id = ?
