DETACH {catalog}
