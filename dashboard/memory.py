"""Garbage collection in the server: move what start-up made out of every later collection.

Streamlit runs a full garbage collection after every page run (runner.postScriptGC), which
keeps memory from growing with many sessions but, left alone, walks every object of the
process each time: the modules, pandas, Altair's schema and the app's caches, about 150 ms of
CPU per run on this app. After the first page run has imported all of that, gc.freeze() moves
it to the permanent generation, so each later collection walks only what runs and sessions
made since. Measured in bench/gc_choice.py and docs/design-notes.md («Garbage collection»).
"""

import gc
import threading

from dashboard.settings import get_settings

_lock = threading.Lock()
_frozen = False


def freeze_start_up_objects() -> bool:
    """Freeze every object alive now, once per process (when the GC_FREEZE setting is on);
    True when this call froze them."""
    global _frozen
    if _frozen or not get_settings().gc_freeze:
        return False
    with _lock:
        if _frozen:
            return False
        gc.collect()  # what is garbage now is not kept for good
        gc.freeze()
        _frozen = True
    return True
