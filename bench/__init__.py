"""Benchmarks and their data generator (run them with `make bench`)."""
