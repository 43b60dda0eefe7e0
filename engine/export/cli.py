"""``drill grade``: grade one file and write the result for a CI system or an autograder.
``register`` adds the subcommand; the grader runs in its own process, as for ``drill run``.

Unlike ``drill run`` it records nothing in the learner's history: it grades someone's submission.
Exit status, as ``drill run``: 0 when every check passes, 1 when a check fails or the code
errors (the document is written either way), 2 for a usage error (unknown drill, missing file,
unwritable output), with one line on stderr.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TextIO

FORMATS = ("json", "junit", "gradescope")


def register(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "grade",
        help="grade a file and write the result as JSON, JUnit XML or Gradescope results.json",
        description="Grade a submission for a drill and write the result for instructors' tools: the drill JSON, "
        "JUnit XML for CI systems, or Gradescope's results.json. Nothing is recorded in your progress.",
    )
    parser.add_argument("drill")
    parser.add_argument("--file", required=True, help="the file to grade")
    parser.add_argument("--format", choices=FORMATS, default="json", help="default json")
    parser.add_argument("--out", metavar="PATH", help="write here instead of stdout (e.g. /autograder/results/results.json)")
    parser.add_argument("--device", help="cpu, cuda or cuda:N (default: $DRILL_DEVICE, else CUDA when available)")
    parser.add_argument("--time-limit", type=float, help="seconds before the code is stopped")
    parser.set_defaults(func=run)
    return parser


def render(result, fmt: str) -> str:
    import json

    if fmt == "junit":
        from engine.export.junit import to_junit

        return to_junit(result)
    if fmt == "gradescope":
        from engine.export.gradescope import to_gradescope

        return json.dumps(to_gradescope(result), ensure_ascii=False, indent=2) + "\n"
    return json.dumps(result.to_dict(), ensure_ascii=False) + "\n"


def run(args: argparse.Namespace, stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    from engine.drills import runner
    from engine.drills.catalog import get_drill
    from engine.drills.results import PASS
    from engine.errors import UsageError

    stdout, stderr = stdout or sys.stdout, stderr or sys.stderr
    try:
        drill = get_drill(args.drill)
        path = runner.learner_file(drill, args.file, Path.cwd())
    except UsageError as problem:
        print(f"drill: {problem}", file=stderr)
        return 2
    target = Path(args.out).expanduser() if args.out else None
    # The folder is made before grading, so that a bad --out fails at once rather than after the run.
    if target is not None and not _write(target, stderr):
        return 2
    result = runner.run_drill(drill.id, path, device=args.device, time_limit=args.time_limit)
    text = render(result, args.format)
    code = 0 if result.status == PASS else 1
    if target is None:
        stdout.write(text)
        return code
    if not _write(target, stderr, text):
        return 2
    print(f"{drill.id}: {result.status}, {result.score:g}/{result.max_score:g} -> {target}", file=stderr)
    return code


def _write(target: Path, stderr: TextIO, text: str | None = None) -> bool:
    """Make the target's folder (and write ``text`` when given); False, with one line on stderr, when that fails."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        if text is not None:
            target.write_text(text, encoding="utf-8")
    except OSError as error:
        print(f"drill: cannot write {target}: {error.strerror}", file=stderr)
        return False
    return True
