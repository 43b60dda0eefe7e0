"""The Textual study app that ``drill`` opens with no command.

The package is imported only by that branch of the CLI and by the tests, so the other commands
never pay for textual. :func:`run` is the entry point.
"""

from __future__ import annotations


def run() -> int:
    """Open the app. A home that cannot be written or a database that cannot be used raises before
    the screen is taken, so the CLI reports it in one line like any other command's."""
    from engine.app.app import DrillApp

    DrillApp().run()
    return 0
