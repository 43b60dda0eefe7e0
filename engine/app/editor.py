"""The learner's files: shown with ``~`` for the home folder, and opened in their editor while the
app steps aside."""

from __future__ import annotations

import os
import shlex
import subprocess
from pathlib import Path

from textual.app import App, SuspendNotSupported

FALLBACK_EDITOR = "vi"


def shown(path: Path) -> str:
    """``path`` with the home folder as ``~``: shorter, and the form people type."""
    home = Path.home()
    return f"~/{path.relative_to(home)}" if path.is_relative_to(home) else str(path)


def editor_command() -> list[str]:
    """``$VISUAL``, then ``$EDITOR``, then vi: the order git and most Unix tools use."""
    return shlex.split(os.environ.get("VISUAL") or os.environ.get("EDITOR") or FALLBACK_EDITOR)


def edit(app: App[None], path: Path) -> None:
    """Suspend the app, run the editor on ``path``, and come back; a failure is a notification."""
    command = editor_command()
    try:
        with app.suspend():
            subprocess.run([*command, str(path)], check=False)
    except SuspendNotSupported:
        app.notify(
            f"This terminal cannot hand over to an editor. Edit {shown(path)} yourself, then run the checks.",
            severity="warning",
            markup=False,
        )
    except FileNotFoundError:
        app.notify(
            f"The editor '{command[0]}' was not found. Set $EDITOR, or edit {shown(path)} yourself.",
            severity="error",
            markup=False,
        )
