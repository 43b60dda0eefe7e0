"""Where the learner's data lives: ``$DRILL_HOME``, or the platform's user data directory."""

from __future__ import annotations

import os
from pathlib import Path

HOME_ENV = "DRILL_HOME"


def data_home() -> Path:
    """The data directory, created on first use."""
    configured = os.environ.get(HOME_ENV)
    if configured:
        home = Path(configured).expanduser()
    else:
        from platformdirs import user_data_dir

        home = Path(user_data_dir("dli-drill", appauthor=False))
    home.mkdir(parents=True, exist_ok=True)
    return home


def database_path() -> Path:
    """The SQLite file that holds progress, attempts and the review schedule."""
    return data_home() / "progress.sqlite3"


def workspace(override: str | os.PathLike | None = None) -> Path:
    """The folder where drill starter files are written (``--workspace`` wins over the default)."""
    folder = Path(override).expanduser() if override else data_home() / "workspace"
    folder.mkdir(parents=True, exist_ok=True)
    return folder
