"""Benchmarks of the dashboard: page run times, baselines and the server's memory."""
