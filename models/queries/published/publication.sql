SELECT key, value FROM publication
