"""`python -m bench` (or `make bench`): throughput of the overdue service against same-run baselines.

Results go to bench/results/latest.json and bench/results/README-summary.md.
"""
