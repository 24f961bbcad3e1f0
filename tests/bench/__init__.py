"""Benchmarks, run by `make bench` (`pytest tests/bench -s -q`) and kept out of the default test run
by `norecursedirs`. They print figures and assert behaviour only, never wall-clock times."""
