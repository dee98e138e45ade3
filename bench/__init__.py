"""Benchmarks. Never part of the test suite: `make bench` (bench/run.py) runs them.

Each module has a `main()` returning an exit code, and prints its figures as
ratios to a baseline measured in the same run: the machine is shared and noisy,
so absolute milliseconds from different runs do not compare.
"""
