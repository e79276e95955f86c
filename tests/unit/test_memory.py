"""Start-up objects are frozen out of later collections once per process, when the setting
says so."""

import gc
from collections.abc import Iterator

import pytest

from dashboard import memory
from dashboard.settings import get_settings


@pytest.fixture
def fresh(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(memory, "_frozen", False)
    yield
    gc.unfreeze()


def test_the_first_call_freezes_everything_alive_and_later_calls_do_nothing(fresh: None) -> None:
    gc.unfreeze()
    assert gc.get_freeze_count() == 0
    assert memory.freeze_start_up_objects() is True
    frozen = gc.get_freeze_count()
    assert frozen > 10_000  # the modules of the app and its libraries
    assert memory.freeze_start_up_objects() is False
    assert gc.get_freeze_count() == frozen


def test_the_setting_turns_it_off(fresh: None, monkeypatch: pytest.MonkeyPatch) -> None:
    gc.unfreeze()
    monkeypatch.setattr(get_settings(), "gc_freeze", False)
    assert memory.freeze_start_up_objects() is False
    assert gc.get_freeze_count() == 0
