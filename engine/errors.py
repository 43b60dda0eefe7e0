"""The one family of errors a user can cause and fix: an unknown drill, a missing file, a
malformed bank, a database written by a newer dli-drill, a folder that cannot be written.

Every command reports a :class:`UsageError` the same way: one line on stderr, ``drill: <what to
do>``, exit code 2, and nothing recorded in the learner's history. Anything else that escapes is
our bug, not the user's.
"""

from __future__ import annotations

EXIT_USAGE = 2


class UsageError(Exception):
    """A mistake the user can fix; the message says what to do, in one line where it can."""
