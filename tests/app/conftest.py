"""Fixtures of the AppTest tests: a seeded database with the demo accounts."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from support.caches import clear_caches

from dashboard.db import make_engine
from dashboard.migrate import upgrade
from dashboard.services.throttle import SIGN_IN
from seed import load_real
from seed.demo import ensure_demo_accounts


@pytest.fixture
def accounts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    """A seeded database with the demo accounts; e-mail -> password."""
    url = f"sqlite:///{tmp_path / 'accounts.db'}"
    upgrade(url)
    engine = make_engine(url)
    load_real(engine)
    created = {email: password for _role, email, password in ensure_demo_accounts(engine)}
    engine.dispose()
    monkeypatch.setenv("DATABASE_URL", url)
    clear_caches()
    yield created
    clear_caches()


@pytest.fixture(autouse=True)
def _fresh_throttle() -> Iterator[None]:
    """Every test starts with the sign-in throttle's counts forgotten: AppTest gives no address,
    so all its sessions share one allowance, as browsers on localhost do."""
    SIGN_IN.clear()
    yield
    SIGN_IN.clear()
