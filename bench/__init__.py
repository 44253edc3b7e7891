"""Benchmarks and load tests (`make bench`); not part of the served product."""
