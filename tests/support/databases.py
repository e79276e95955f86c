"""Small helpers for tests that hand a database to code taking a URL."""

from sqlalchemy import Engine


def url_of(engine: Engine) -> str:
    """The URL of engine's database, password included (for code that connects on its own)."""
    return engine.url.render_as_string(hide_password=False)
