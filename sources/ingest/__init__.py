"""Read agency drops, check every row against its feed's contract, and load or quarantine it."""
