ATTACH '{path}' AS {catalog}
