"""The ``drill`` command line. Heavy modules (torch, textual) are imported only by the commands that need them."""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from engine import __version__
from engine.errors import EXIT_USAGE, UsageError
from engine.exam import cli as exam_cli
from engine.export import cli as grade_cli
from engine.quiz import cli as quiz_cli
from engine.rehearse import cli as rehearse_cli
from engine.reports import cli as report_cli

if TYPE_CHECKING:
    from engine.drills.catalog import Drill
    from engine.drills.runner import Grader
    from engine.store import Store

EXIT_PASS, EXIT_FAIL = 0, 1
TRACK_HEADINGS = {
    "lessons": "Lessons: the DDPM and U-Net lessons' code",
    "course": "Course: the real course's code, as the assessment asks for it",
}

def _store() -> Store:
    from engine.store import open_store

    return open_store(sys.stderr)


def cmd_list(args: argparse.Namespace) -> int:
    from engine.drills import progress
    from engine.drills.catalog import all_drills

    store = _store()
    drills = all_drills()
    rows = {d.id: (d.id, d.lesson, d.topic, progress.status(store, d), d.title) for d in drills}
    widths = [max(len(row[i]) for row in rows.values()) for i in range(4)] if rows else [0] * 4
    for track, heading in TRACK_HEADINGS.items():
        in_track = [d for d in drills if d.track == track]
        if in_track:
            print(heading)
        for drill in in_track:
            row = rows[drill.id]
            print("  " + "  ".join(cell.ljust(width) for cell, width in zip(row, widths)) + "  " + row[4])
    return EXIT_PASS


def cmd_start(args: argparse.Namespace) -> int:
    from engine.drills import progress, workspace
    from engine.drills.catalog import get_drill
    from engine.paths import workspace as workspace_dir

    drill = get_drill(args.drill)
    store = _store()
    path, created = workspace.start(drill, workspace_dir(args.workspace), store, seed=args.seed, fresh=args.fresh)
    progress.mark_started(store, drill)
    print(path)
    if not created:
        print(f"(kept your existing file; `drill start {drill.id} --fresh` replaces it)", file=sys.stderr)
    print(f"{drill.title}: {drill.summary}", file=sys.stderr)
    print(f"Edit it, then run `drill run {drill.id}`.", file=sys.stderr)
    return EXIT_PASS


def _run_once(args: argparse.Namespace, drill: Drill, path: Path, grader: Grader | None = None) -> int:
    from engine.drills.attempts import grade_attempt
    from engine.drills.render import render

    attempt = grade_attempt(
        drill, path, _store(), device=args.device, time_limit=args.time_limit, memory_limit=args.memory_limit, grader=grader
    )
    if args.json:
        sys.stdout.write(attempt.result.to_json() + "\n")
    else:
        print(render(attempt.view, color=sys.stdout.isatty()))
    return EXIT_PASS if attempt.passed else EXIT_FAIL


def cmd_run(args: argparse.Namespace) -> int:
    from engine.drills import runner
    from engine.drills.catalog import get_drill
    from engine.drills.limits import memory_limit
    from engine.paths import workspace as workspace_dir

    drill = get_drill(args.drill)
    path = runner.learner_file(drill, args.file, workspace_dir(args.workspace))
    args.memory_limit = memory_limit(args.memory_limit)
    if not args.watch:
        return _run_once(args, drill, path, runner.COLD if args.cold else None)
    return _watch(args, drill, path)


def _watch(args: argparse.Namespace, drill: Drill, path: Path) -> int:
    """Re-run on every save until Ctrl-C, like rustlings' watch mode, with one warm grader throughout."""
    from engine.drills import runner
    from engine.drills.warm import PrivateGrader

    code, seen = EXIT_FAIL, None
    with PrivateGrader() as warm:
        grader = runner.COLD if args.cold else warm
        try:
            while True:
                stamp = path.stat().st_mtime_ns if path.exists() else None
                if stamp != seen and stamp is not None:
                    seen = stamp
                    print("\033[2J\033[H" if sys.stdout.isatty() else "", end="")
                    code = _run_once(args, drill, path, grader)
                    print(f"\n  Watching {path} — save to re-run, Ctrl-C to stop.", flush=True)
                time.sleep(0.3)
        except KeyboardInterrupt:
            return code


def cmd_hint(args: argparse.Namespace) -> int:
    from engine.drills import progress
    from engine.drills.catalog import get_drill

    drill = get_drill(args.drill)
    hint = progress.next_hint(_store(), drill)
    print(f"{hint.heading} ({drill.id})\n  {hint.text}")
    return EXIT_PASS


def cmd_solution(args: argparse.Namespace) -> int:
    from engine.drills import progress
    from engine.drills.catalog import get_drill

    drill = get_drill(args.drill)
    if not progress.has_passed(_store(), drill):
        if not args.force:
            raise UsageError(
                f"The model solution opens once your own '{drill.id}' passes. "
                f"`drill solution {drill.id} --force` shows it now, at the cost of the practice."
            )
        print("Warning: reading the answer before you solve it weakens the practice.", file=sys.stderr)
    print(drill.solution_path.read_text(encoding="utf-8"), end="")
    return EXIT_PASS


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="drill",
        description="Drills and quizzes for the NVIDIA DLI assessment 'Generative AI with Diffusion Models'. "
        "Without a command, opens the study app.",
    )
    parser.add_argument("--version", action="version", version=f"dli-drill {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    listing = commands.add_parser("list", help="the drills, with topic and your status")
    listing.set_defaults(func=cmd_list)

    start = commands.add_parser("start", help="write a drill's starter file into your workspace")
    start.add_argument("drill")
    start.add_argument("--workspace", help="folder for your drill files (default: $DRILL_HOME/workspace)")
    start.add_argument("--fresh", action="store_true", help="replace an existing file with a new starter")
    start.add_argument("--seed", type=int, help="for debug drills: which bug to draw, reproducibly")
    start.set_defaults(func=cmd_start)

    run = commands.add_parser("run", help="grade your file for a drill")
    run.add_argument("drill")
    run.add_argument("--file", help="grade this file instead of the workspace copy")
    run.add_argument("--workspace", help="folder for your drill files")
    run.add_argument("--json", action="store_true", help="print exactly one JSON result on stdout")
    run.add_argument("--device", help="cpu, cuda or cuda:N (default: $DRILL_DEVICE, else CUDA when available)")
    run.add_argument("--watch", action="store_true", help="re-run on every save")
    run.add_argument("--time-limit", type=float, help="seconds before your code is stopped")
    run.add_argument(
        "--memory-limit", metavar="SIZE", help="memory your code may use, e.g. 4G or 512M (default: $DRILL_MEMORY_LIMIT, else 4G)"
    )
    run.add_argument("--cold", action="store_true", help="grade in a fresh process instead of the warm grader")
    run.set_defaults(func=cmd_run)

    hint = commands.add_parser("hint", help="the next hint for a drill")
    hint.add_argument("drill")
    hint.set_defaults(func=cmd_hint)

    solution = commands.add_parser("solution", help="the model solution (after you pass)")
    solution.add_argument("drill")
    solution.add_argument("--force", action="store_true", help="show it before you pass")
    solution.set_defaults(func=cmd_solution)

    quiz_cli.register(commands)
    exam_cli.register(commands)
    report_cli.register(commands)
    grade_cli.register(commands)
    rehearse_cli.register(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command is None:
            from engine.app import run as run_app

            return run_app()
        code: int = args.func(args)
        return code
    except UsageError as problem:
        print(f"drill: {problem.args[0] if problem.args else problem}", file=sys.stderr)
        return EXIT_USAGE
    except sqlite3.Error as error:
        print(f"drill: the progress database cannot be used: {error}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        # The reader (e.g. `| head`) went away; silence the flush at exit as well.
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - it stands in for stdout until the process exits
        return EXIT_PASS


if __name__ == "__main__":
    sys.exit(main())
