SELECT caveat_id, text FROM caveats ORDER BY caveat_id
