"""Pelita's benchmarks: each measures Pelita and the bare stack it stands on in the same run (figures, not asserts).

`python -m bench.<name>` (full size) or `python -m bench.<name> --smoke` (seconds); results go to
bench/results/<name>.json. `make bench` / `make bench-smoke` run them all.
"""
