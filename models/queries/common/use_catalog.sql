USE {catalog}
