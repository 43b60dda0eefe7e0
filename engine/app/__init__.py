"""The Textual study app that ``drill`` opens with no command.

The package is imported only by that branch of the CLI and by the tests, so the other commands
never pay for textual. :func:`run` is the entry point.
"""

from __future__ import annotations

import sys


def run() -> int:
    """Open the app; a database that cannot be used is reported in one line, not a traceback."""
    import sqlite3

    from engine.errors import EXIT_USAGE, UsageError

    try:
        from engine.app.app import DrillApp

        app = DrillApp()
    except UsageError as error:
        print(f"drill: {error}", file=sys.stderr)
        return EXIT_USAGE
    except sqlite3.Error as error:
        print(f"drill: the progress database cannot be used: {error}", file=sys.stderr)
        return 1
    app.run()
    return 0
