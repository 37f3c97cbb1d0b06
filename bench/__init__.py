"""Benchmarks: `make bench` (= `python -m bench`, bench/__main__.py); see bench/README.md."""
