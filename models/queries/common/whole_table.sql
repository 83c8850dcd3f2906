SELECT * FROM "{table}"
