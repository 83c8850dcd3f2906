"""Benchmark and robustness harness: refresh runs in child processes, their memory, and state comparison."""
