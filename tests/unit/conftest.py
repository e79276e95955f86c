"""Fixtures the unit tests share."""

from reporting_world import world  # noqa: F401  (registers the fixture)
