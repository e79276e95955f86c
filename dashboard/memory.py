"""Garbage collection in the server: what start-up made is frozen out of every collection, and
the full collection runs paced instead of after every page run.

Streamlit can run a full garbage collection after every page run (runner.postScriptGC, on by
default), which walks every object of the process each time: the modules, pandas, Altair's
schema, the app's caches and every session's state. On this app that was 150 ms of CPU per
run before anything was frozen and still two thirds of the server's CPU under load after a
freeze (bench/capacity.py, docs/design-notes.md «Capacity»). So:

- after the first run of each page (the run that imports that page's modules and fills its
  caches) gc.freeze() moves everything alive to the permanent generation, which no collection
  walks again; once per page, so what the later pages import is frozen too;
- .streamlit/config.toml turns Streamlit's collection after each run off, and the end of each
  run calls collect_garbage(), which runs the full collection only when the previous ones have
  taken at most GC_SHARE of the time since (10 % by default): with one session that is about
  every tenth run, and under load the collections cannot eat the throughput, while garbage
  still goes within a second or so, keeping memory bounded; a collection that was not due
  runs when it is, also when no run follows (the end of a burst of clicks);
- a freeze also catches every session's data alive at that moment (the first visitors'
  frames, in reference cycles that only a collection frees): so that this does not stay for
  the life of the process, a due collection THAW_AFTER_S after the last freeze unfreezes
  first, walks everything once and freezes again.
"""

import gc
import threading
import time

from dashboard.settings import get_settings

THAW_AFTER_S = 600.0  # how long a freeze stands before a due collection walks it once

_lock = threading.Lock()
_frozen: set[str] = set()
_frozen_at = 0.0  # time.monotonic() of the last freeze
_next_full = 0.0  # time.monotonic() before which collect_garbage() does not collect
_waiting_lock = threading.Lock()
_waiting: threading.Timer | None = None  # a collection that runs when the pause has ended


def freeze_start_up_objects(page: str = "") -> bool:
    """Freeze every object alive now, once per page and process (when the GC_FREEZE setting
    is on); True when this call froze them."""
    global _frozen_at
    if page in _frozen or not get_settings().gc_freeze:
        return False
    with _lock:
        if page in _frozen:
            return False
        gc.collect()  # what is garbage now is not kept for good
        gc.freeze()
        _frozen.add(page)
        _frozen_at = time.monotonic()
    return True


def collect_garbage() -> bool:
    """The full collection after a page run, when it is due: the collections so far have
    taken at most the GC_SHARE setting of the time (0: never; Streamlit's own collection after
    every run is then what there is, if it is turned on). When it is not due yet, it runs once
    it is, also if no run follows (the last runs of a burst leave their garbage). True when
    this call collected."""
    share = get_settings().gc_share
    if share <= 0:
        return False
    if time.monotonic() < _next_full:
        _collect_when_due(share)
        return False
    return _collect(share)


def _collect(share: float) -> bool:
    """A full collection now, unless another thread is collecting or has just collected;
    also of what was frozen, when the last freeze is THAW_AFTER_S old."""
    global _next_full, _frozen_at
    if not _lock.acquire(blocking=False):
        return False
    try:
        started = time.monotonic()
        if started < _next_full:
            return False
        thaw = started - _frozen_at >= THAW_AFTER_S and gc.get_freeze_count() > 0
        if thaw:
            gc.unfreeze()
        gc.collect()
        if thaw:
            gc.freeze()
            _frozen_at = time.monotonic()
        took = time.monotonic() - started
        _next_full = started + took / share
    finally:
        _lock.release()
    return True


def _collect_when_due(share: float) -> None:
    """One collection waiting for the pause to end (at most one waits at a time)."""
    global _waiting
    with _waiting_lock:
        if _waiting is not None and _waiting.is_alive():
            return
        _waiting = threading.Timer(max(0.0, _next_full - time.monotonic()), _collect, (share,))
        _waiting.daemon = True
        _waiting.start()
