"""Bring the database schema up to date: `python -m dashboard.migrate`."""

from alembic import command
from alembic.config import Config

from dashboard.settings import ROOT


def alembic_config(url: str | None = None) -> Config:
    """The Alembic configuration of this project, optionally for another database URL."""
    config = Config(str(ROOT / "alembic.ini"))
    if url:
        config.attributes["url"] = url
    return config


def upgrade(url: str | None = None) -> None:
    """Apply every migration to the database at url (default: DATABASE_URL)."""
    command.upgrade(alembic_config(url), "head")


if __name__ == "__main__":
    upgrade()
