-- Declared test `grain`: the grain columns are a unique key (one row per cell or record). Failures: the
-- number of keys that appear on more than one row.
SELECT count(*) AS failures FROM (SELECT {columns} FROM {model} GROUP BY ALL HAVING count(*) > 1)
