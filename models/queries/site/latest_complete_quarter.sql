SELECT max(quarter) FROM area_quarterly WHERE months_loaded = 3
