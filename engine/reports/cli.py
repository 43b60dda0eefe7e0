"""``drill report``: render the progress report. ``register`` adds the subcommand; the work is
imported only when it runs, and never imports torch or textual.

Where it goes: ``--out PATH`` (``-`` for stdout); by default Markdown goes to stdout and HTML to
``report.html`` in the data directory, whose path is printed. ``--open`` opens the written file
in the default browser or viewer. Exit status: 0 when written, 1 when the database cannot be
used, 2 for a mistake the user can fix (``--open`` without a file, an unwritable path).
"""

from __future__ import annotations

import argparse
import sys
from typing import TextIO

STDOUT = "-"


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "report",
        help="your progress as an HTML or Markdown report",
        description="Render your progress (quizzes, drills, bugs, mock exams, what to study next) from your local "
        "history: one self-contained HTML file that works offline and prints, or Markdown.",
    )
    parser.add_argument("--format", choices=("html", "md"), default="html", help="default html")
    parser.add_argument("--out", metavar="PATH", help="where to write it ('-' for stdout); "
                        "default: stdout for md, report.html in your data directory for html")
    parser.add_argument("--open", action="store_true", help="open the written file in your browser")
    parser.set_defaults(func=run)
    return parser


def run(args: argparse.Namespace, stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    from pathlib import Path

    from engine.paths import data_home
    from engine.reports.history import collect
    from engine.reports.render import render
    from engine.store import open_store

    stdout, stderr = stdout or sys.stdout, stderr or sys.stderr
    out = args.out or (STDOUT if args.format == "md" else str(data_home() / "report.html"))
    if args.open and out == STDOUT:
        print("drill: --open needs a file: add --out PATH", file=stderr)
        return 2
    with open_store(stderr) as store:
        text = render(collect(store), args.format)
    if out == STDOUT:
        stdout.write(text)
        return 0
    path = Path(out).expanduser()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as error:
        print(f"drill: cannot write {path}: {error.strerror}", file=stderr)
        return 2
    print(path.resolve(), file=stdout)
    if args.open:
        import webbrowser

        webbrowser.open(path.resolve().as_uri())
    return 0
