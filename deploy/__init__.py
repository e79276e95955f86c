"""The production shape: PostgreSQL, several app processes and HAProxy (see deploy/shape.py)."""
