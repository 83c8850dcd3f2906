-- An internal dataset's SQL in Superset: the whole table of its name (a virtual dataset, see catalog.py).
SELECT * FROM {table}
