"""Bring the database schema up to date: `python -m dashboard.migrate`.

Also the rules every migration's downgrade follows (see README, "Upgrades"): a downgrade keeps
the data or refuses with DowngradeRefused, saying why; it never silently drops what people
entered, and the data version never goes backwards.
"""

import sys
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.util import CommandError

from dashboard.settings import ROOT


class DowngradeRefused(CommandError):
    """A downgrade would destroy data; nothing was changed (the transaction is rolled back).

    A CommandError, so `alembic downgrade` prints it as one line (FAILED: ...), not a traceback.
    """


def alembic_config(url: str | None = None) -> Config:
    """The Alembic configuration of this project, optionally for another database URL."""
    config = Config(str(ROOT / "alembic.ini"))
    if url:
        config.attributes["url"] = url
    return config


def upgrade(url: str | None = None) -> None:
    """Apply every migration to the database at url (default: DATABASE_URL)."""
    command.upgrade(alembic_config(url), "head")


def refuse_if_rows(
    connection: sa.Connection, revision: str, checks: Sequence[tuple[str, str]]
) -> None:
    """Raise DowngradeRefused naming every check whose query counts rows.

    checks: (SQL counting the rows that would be lost, what those rows are). Called first in a
    downgrade, so a refusal changes nothing.
    """
    found = []
    for query, what in checks:
        count = connection.execute(sa.text(query)).scalar() or 0
        if count:
            found.append(f"{count} {what}")
    if found:
        raise DowngradeRefused(
            f"Downgrade of revision {revision} refused: it would delete "
            + "; ".join(found)
            + ". Nothing was changed. To go back to the version before the upgrade, restore the "
            "backup taken before it (python -m dashboard.restore FILE); see README, 'Upgrades'."
        )


def main() -> int:
    """Upgrade DATABASE_URL to the newest schema; exit code 1 with a message on failure."""
    try:
        upgrade()
    except CommandError as exc:
        print(f"Migration failed: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
