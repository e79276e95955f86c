"""A SQLite database this process may not write is read, and a write is refused as read-only
(which the pages word), never «attempt to write a readonly database» at connect."""

import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest
from support.read_only import read_only

from dashboard.db import get_engine
from dashboard.migrate import upgrade
from dashboard.settings import ROOT

# run in a child process, under the read-only prefix
CHILD = """
import sys
from dashboard.db import make_engine, session_scope
from dashboard.db import read_only
from dashboard.health import database_state

engine = make_engine(sys.argv[1])
print(database_state(engine).value)
try:
    with session_scope(write=True, engine=engine):
        pass
except Exception as error:
    print("refused" if read_only(error) else repr(error))
else:
    print("written")
"""


@pytest.mark.parametrize(
    ("what", "journal"), [("directory", "wal"), ("file", "wal"), ("file", "delete")]
)
def test_a_read_only_database_is_read_and_refuses_writes(
    what: str, journal: str, tmp_path: Path
) -> None:
    """directory: the file and its directory (no -wal or -shm can be made beside it); file:
    the file only (its directory takes the -shm a WAL reader needs). A database copied from
    elsewhere may be in rollback-journal mode, which a read-only file cannot leave for WAL."""
    folder = tmp_path / "data"
    url = f"sqlite:///{folder / 'dashboard.db'}"
    upgrade(url)
    get_engine(url).dispose()  # the migration's engine; its last connection removes the -wal
    get_engine.cache_clear()
    with closing(sqlite3.connect(folder / "dashboard.db")) as db:
        db.execute(f"PRAGMA journal_mode={journal}")
    assert sorted(p.name for p in folder.iterdir()) == ["dashboard.db"]  # closed cleanly
    with read_only(folder if what == "directory" else folder / "dashboard.db") as prefix:
        child = subprocess.run(
            [*prefix, sys.executable, "-c", CHILD, url],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert child.stdout.split() == ["ok", "refused"], child.stderr[-2000:]


SIGNED_IN_CHILD = """
import datetime as dt, sys
from dashboard.db import make_engine
from dashboard.services.sessions import resolve

engine = make_engine(sys.argv[1])
later = dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)  # due a new last-seen time
print("resolved" if resolve(int(sys.argv[2]), now=later, engine=engine) else "none")
"""


def test_a_signed_in_person_keeps_reading_a_read_only_database(tmp_path: Path) -> None:
    """Using a sign-in session notes when it was last seen; on a read-only database that write
    is left out and the person is still signed in (and reads every page)."""
    from dashboard.db import session_scope
    from dashboard.services.sessions import start
    from models import User

    folder = tmp_path / "data"
    url = f"sqlite:///{folder / 'dashboard.db'}"
    upgrade(url)
    engine = get_engine(url)
    with session_scope(write=True, engine=engine) as session:
        user = User(email="leser@example.invalid", name="Leser")
        session.add(user)
        session.flush()
        user_id = user.id
    assert user_id is not None
    started = start(user_id, engine=engine)
    engine.dispose()
    get_engine.cache_clear()
    with read_only(folder) as prefix:
        child = subprocess.run(
            [*prefix, sys.executable, "-c", SIGNED_IN_CHILD, url, str(started.session_id)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert child.stdout.split() == ["resolved"], child.stderr[-2000:]
