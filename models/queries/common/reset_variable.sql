RESET VARIABLE {variable}
