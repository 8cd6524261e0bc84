"""Benchmarks: `make bench` (small scale, minutes) or `BENCH_SCALE=full make bench`.

Each benchmark module in this package defines ``run(scale) -> list[dict]`` and is run
once per database, in its own process, against a freshly migrated database. Every
figure is printed next to a baseline measured in the same run, so the ratios mean
something on a shared, noisy machine.
"""
