-- One published table a headline panel reads, whole (the panel's rows and totals are picked by
-- dashboards/release/grain.py from panels.yaml, the same code that chose the grain).
SELECT * FROM query_table($table)
