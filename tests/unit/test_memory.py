"""What each page's first run made is frozen out of later collections, once per page, when the
setting says so; the full collection after runs is paced to a share of the time (issue 17)."""

import gc
import time
import weakref
from collections.abc import Iterator
from types import SimpleNamespace

import pytest

from dashboard import memory
from dashboard.settings import get_settings


@pytest.fixture
def fresh(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(memory, "_frozen", set())
    monkeypatch.setattr(memory, "_next_full", 0.0)
    monkeypatch.setattr(memory, "_waiting", None)
    monkeypatch.setattr(memory, "_frozen_at", time.monotonic())
    yield
    if memory._waiting is not None:
        memory._waiting.cancel()  # a collection still waiting does not run into the next test
        memory._waiting.join()  # nor does one running
    gc.unfreeze()


def test_each_page_s_first_run_freezes_what_is_alive_and_its_later_runs_do_nothing(
    fresh: None,
) -> None:
    gc.unfreeze()
    assert gc.get_freeze_count() == 0
    assert memory.freeze_start_up_objects("oversikt") is True
    frozen = gc.get_freeze_count()
    assert frozen > 10_000  # the modules of the app and its libraries
    assert memory.freeze_start_up_objects("oversikt") is False
    assert gc.get_freeze_count() == frozen
    later = [[index] for index in range(1000)]  # what another page's first run imported
    assert memory.freeze_start_up_objects("mal") is True
    assert gc.get_freeze_count() >= frozen + len(later)
    assert memory.freeze_start_up_objects("mal") is False


def test_the_setting_turns_the_freeze_off(fresh: None, monkeypatch: pytest.MonkeyPatch) -> None:
    gc.unfreeze()
    monkeypatch.setattr(get_settings(), "gc_freeze", False)
    assert memory.freeze_start_up_objects("oversikt") is False
    assert gc.get_freeze_count() == 0


class Node:
    """An object in a reference cycle, which only the collector frees."""

    def __init__(self) -> None:
        self.me = self


def test_the_full_collection_runs_when_due_and_frees_cycles(
    fresh: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(get_settings(), "gc_share", 0.1)
    gc.disable()  # nothing but collect_garbage collects here
    try:
        node = Node()
        alive = weakref.ref(node)
        del node
        assert memory.collect_garbage() is True
        assert alive() is None
        pause = memory._next_full - time.monotonic()
        assert pause >= 0  # the next one waits 9× as long as this one took
        monkeypatch.setattr(memory, "_next_full", time.monotonic() + 60)  # a slow collection
        assert memory.collect_garbage() is False
        again = Node()
        kept = weakref.ref(again)
        del again
        assert memory.collect_garbage() is False
        assert kept() is not None
        monkeypatch.setattr(memory, "_next_full", 0.0)  # the pause has passed
        assert memory.collect_garbage() is True
        assert kept() is None
    finally:
        gc.enable()


def test_a_share_of_zero_leaves_collecting_to_streamlit(
    fresh: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(get_settings(), "gc_share", 0.0)
    assert memory.collect_garbage() is False


def test_a_collection_that_was_not_due_runs_when_it_is_without_another_run(
    fresh: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The last runs of a burst of clicks leave garbage; it goes once the pause is over."""
    monkeypatch.setattr(get_settings(), "gc_share", 0.1)
    monkeypatch.setattr(memory, "_next_full", time.monotonic() + 0.2)
    gc.disable()
    try:
        node = Node()
        alive = weakref.ref(node)
        del node
        assert memory.collect_garbage() is False
        assert alive() is not None
        assert memory.collect_garbage() is False  # one waiting collection, not two
        deadline = time.monotonic() + 5
        while alive() is not None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert alive() is None
    finally:
        gc.enable()


def test_what_a_freeze_caught_alive_is_freed_once_it_is_garbage(
    fresh: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A page's first run freezes every session's data alive at that moment; what of it is in
    a reference cycle (pandas frames are) must still go once the sessions drop it, not stay in
    the permanent generation for the life of the process."""
    monkeypatch.setattr(get_settings(), "gc_share", 0.1)
    gc.unfreeze()
    gc.disable()
    try:
        node = Node()  # another session's data while a page's first run freezes
        alive = weakref.ref(node)
        assert memory.freeze_start_up_objects("oversikt") is True
        del node  # the session has closed
        assert memory.collect_garbage() is True
        assert alive() is not None  # frozen: the paced collection does not see it yet
        later = time.monotonic() + 86_400  # a day later, the next due collection
        monkeypatch.setattr(memory, "time", SimpleNamespace(monotonic=lambda: later))
        assert memory.collect_garbage() is True
        assert alive() is None
        assert gc.get_freeze_count() > 10_000  # frozen again after the collection
    finally:
        gc.enable()
