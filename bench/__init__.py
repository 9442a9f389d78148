"""Benchmarks (``make bench``; figures in BENCHMARKS.md). Outside the app packages: they seed
the demo's emulator and build throwaway databases, which the product itself never needs."""
