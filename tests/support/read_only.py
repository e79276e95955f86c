"""Make a SQLite database read-only the way a user meets it, for a command run under it."""

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

# Bind the path onto itself and make that mount read-only, in a mount namespace of the command
# alone (nobody else sees it), then run the command.
_MOUNT = 'mount --bind "$0" "$0" && mount -o remount,ro,bind "$0" && exec "$@"'


@contextmanager
def read_only(path: Path) -> Iterator[list[str]]:
    """A command prefix under which path (a database file, or the directory holding it) cannot
    be written.

    Not root: chmod 0444 (files) and 0555 (a directory), restored afterwards. Root writes
    through any mode bits, so chmod alone would test nothing there; root instead gets path as
    a read-only mount (EROFS), which is what a read-only volume gives any user.
    """
    if os.geteuid() == 0:
        yield ["unshare", "--mount", "sh", "-c", _MOUNT, str(path)]
        return
    files = sorted(path.iterdir()) if path.is_dir() else [path]
    modes = {item: item.stat().st_mode for item in [*files, path]}
    try:
        for item in files:
            item.chmod(0o444)
        path.chmod(0o555 if path.is_dir() else 0o444)
        yield []
    finally:
        for item, mode in modes.items():
            item.chmod(mode)
