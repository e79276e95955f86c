"""Helpers for tests that need real servers: an ephemeral PostgreSQL cluster, the app."""
