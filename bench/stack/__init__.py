"""Configuration for the stacks benchmarks start (not a benchmark itself)."""
