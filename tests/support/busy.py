"""The app's SQLite database held by another write, for pages to meet a busy database."""

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from support.caches import clear_caches

WAIT_MS = 200  # how long the app's writes wait meanwhile


@contextmanager
def held_database(url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Another connection holds the write lock of the SQLite database at url (BEGIN
    IMMEDIATE) until the block ends; the app's writes wait only WAIT_MS for it."""
    monkeypatch.setenv("SQLITE_BUSY_TIMEOUT_MS", str(WAIT_MS))
    clear_caches()  # the app's next engine connects with the short wait
    other = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        yield
    finally:
        other.execute("ROLLBACK")
        other.close()
        monkeypatch.delenv("SQLITE_BUSY_TIMEOUT_MS")
        clear_caches()
