"""Benchmarks: `python -m benchmarks SUITE ...`. Each suite module has `main(argv) -> int`."""
