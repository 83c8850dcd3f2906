-- How many cell keys (key: the quoted dimensions) stand on more than one row of the table.
SELECT count(*) FROM (SELECT {key} FROM {table} GROUP BY ALL HAVING count(*) > 1)
