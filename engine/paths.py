"""Where the learner's data lives: ``$DRILL_HOME``, or the platform's user data directory.

Every folder handed out here has been proved writable, by creating a file in it, before any
command or the app uses it: permissions alone don't say (root ignores them, a read-only mount
doesn't show in them). A folder that cannot be written is a :class:`UsageError` whose one line
names it and says how to choose another.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from engine.errors import UsageError

HOME_ENV = "DRILL_HOME"

# Folders already proved writable by this process.
_writable: set[Path] = set()


class UnwritableFolder(UsageError):
    """A folder dli-drill must write to cannot be written."""


def ensure_writable(folder: Path, remedy: str) -> Path:
    """``folder``, created if needed, once a file could be created and removed in it; else :class:`UnwritableFolder`."""
    if folder in _writable:
        return folder
    try:
        if folder.exists() and not folder.is_dir():
            raise UnwritableFolder(f"{folder} is a file, not a folder: {remedy}")
        folder.mkdir(parents=True, exist_ok=True)
        handle, probe = tempfile.mkstemp(prefix=".drill-write-test-", dir=folder)
        os.close(handle)
        os.unlink(probe)
    except OSError as error:
        raise UnwritableFolder(f"cannot write to {folder} ({error.strerror or error}): {remedy}") from None
    _writable.add(folder)
    return folder


def data_home() -> Path:
    """The data directory, created on first use."""
    configured = os.environ.get(HOME_ENV)
    if configured:
        home = Path(configured).expanduser()
    else:
        from platformdirs import user_data_dir

        home = Path(user_data_dir("dli-drill", appauthor=False))
    return ensure_writable(home, f"set {HOME_ENV} to a folder you can write to")


def database_path() -> Path:
    """The SQLite file that holds progress, attempts and the review schedule."""
    return data_home() / "progress.sqlite3"


def workspace(override: str | os.PathLike[str] | None = None) -> Path:
    """The folder where drill starter files are written (``--workspace`` wins over the default)."""
    if override:
        return ensure_writable(Path(override).expanduser(), "pass --workspace a folder you can write to")
    return ensure_writable(
        data_home() / "workspace", f"pass --workspace a folder you can write to, or set {HOME_ENV} to another"
    )
