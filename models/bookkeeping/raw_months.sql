-- Every month with raw rows (nothing modelled yet: all of them are pending).
SELECT DISTINCT strftime(month, '%Y-%m-01') AS month FROM ({raw_event_months}) ORDER BY month
