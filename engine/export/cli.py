"""``drill grade`` and ``drill gradescope-autograder``: grading for instructors.

``drill grade ID --file PATH`` grades one file and writes the result for a CI system or an
autograder; ``drill grade ID --batch DIR --out OUT`` grades every ``*.py`` in DIR on all cores
through one warm grader (:mod:`engine.export.batch`). ``drill gradescope-autograder ID --out DIR``
writes a ready Gradescope autograder (:mod:`engine.export.autograder`).

Unlike ``drill run``, grading records nothing in the learner's history: it grades someone's
submission. Exit status, as ``drill run``: 0 when every check passes (every submission, in a
batch), 1 when a check fails or the code errors (the documents are written either way), 2 for a
usage error (unknown drill, missing file or folder, unwritable output, a device this machine
lacks), with one line on stderr.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TextIO

FORMATS = ("json", "junit", "gradescope")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "grade",
        help="grade a file (or a folder of them) and write JSON, JUnit XML or Gradescope results.json",
        description="Grade a submission for a drill and write the result for instructors' tools: the drill JSON, "
        "JUnit XML for CI systems, or Gradescope's results.json. With --batch, grade a whole folder at once. "
        "Nothing is recorded in your progress.",
    )
    parser.add_argument("drill")
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--file", help="the file to grade")
    source.add_argument("--batch", metavar="DIR", help="grade every *.py in DIR (one student each) on all cores")
    parser.add_argument("--format", choices=FORMATS, help="default json for --file, gradescope for --batch")
    parser.add_argument(
        "--out", metavar="PATH",
        help="--file: write here instead of stdout (e.g. /autograder/results/results.json); --batch: the folder for the results",
    )
    parser.add_argument("--device", help="cpu, cuda or cuda:N (default: $DRILL_DEVICE, else CUDA when available)")
    parser.add_argument("--time-limit", type=float, help="seconds before the code is stopped")
    parser.add_argument("--memory-limit", metavar="SIZE", help="memory the code may use, e.g. 4G (default: $DRILL_MEMORY_LIMIT, else 4G)")
    parser.add_argument("--cold", action="store_true", help="grade in fresh processes instead of a warm grader")
    parser.add_argument("--jobs", type=int, help="--batch: submissions graded at once (default: one per core)")
    parser.set_defaults(func=run)

    autograder = subparsers.add_parser(
        "gradescope-autograder",
        help="write a ready Gradescope autograder (setup.sh, run_autograder, autograder.zip) for a drill",
        description="Write a Gradescope autograder for a drill into DIR: setup.sh installs CPU torch and dli-drill, "
        "run_autograder grades /autograder/submission into /autograder/results/results.json. Upload DIR/autograder.zip.",
    )
    autograder.add_argument("drill")
    autograder.add_argument("--out", metavar="DIR", required=True, help="the folder to write the autograder into")
    autograder.set_defaults(func=write_autograder)
    return parser


def render(result, fmt: str) -> str:  # type: ignore[no-untyped-def]
    import json

    if fmt == "junit":
        from engine.export.junit import to_junit

        return to_junit(result)
    if fmt == "gradescope":
        from engine.export.gradescope import to_gradescope

        return json.dumps(to_gradescope(result), ensure_ascii=False, indent=2) + "\n"
    return json.dumps(result.to_dict(), ensure_ascii=False) + "\n"


def run(args: argparse.Namespace, stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    from engine.drills.catalog import get_drill
    from engine.drills.limits import memory_limit
    from engine.errors import UsageError

    stdout, stderr = stdout or sys.stdout, stderr or sys.stderr
    try:
        drill = get_drill(args.drill)
        limit = memory_limit(args.memory_limit)
        if args.batch:
            return _batch(args, drill, limit, stderr)
        return _single(args, drill, limit, stdout, stderr)
    except UsageError as problem:
        print(f"drill: {problem}", file=stderr)
        return 2


def _single(args: argparse.Namespace, drill, limit: int, stdout: TextIO, stderr: TextIO) -> int:  # type: ignore[no-untyped-def]
    from engine.drills import runner
    from engine.drills.results import PASS

    path = runner.learner_file(drill, args.file, Path.cwd())
    target = Path(args.out).expanduser() if args.out else None
    # The folder is made before grading, so that a bad --out fails at once rather than after the run.
    if target is not None and not _write(target, stderr):
        return 2
    grader = runner.COLD if args.cold else None
    result = runner.run_drill(drill.id, path, device=args.device, time_limit=args.time_limit, memory_limit=limit, grader=grader)
    text = render(result, args.format or "json")
    code = 0 if result.status == PASS else 1
    if target is None:
        stdout.write(text)
        return code
    if not _write(target, stderr, text):
        return 2
    print(f"{drill.id}: {result.status}, {result.score:g}/{result.max_score:g} -> {target}", file=stderr)
    return code


def _batch(args: argparse.Namespace, drill, limit: int, stderr: TextIO) -> int:  # type: ignore[no-untyped-def]
    from contextlib import nullcontext

    from engine.drills import runner
    from engine.drills.warm import PrivateGrader
    from engine.errors import UsageError
    from engine.export import batch

    if not args.out:
        raise UsageError("--batch needs --out DIR, the folder for the results.")
    files = batch.submissions(Path(args.batch).expanduser())
    out = Path(args.out).expanduser()
    if not _write(out / batch.SUMMARY, stderr):
        return 2
    jobs = max(1, args.jobs or batch.default_jobs())
    with nullcontext(runner.COLD) if args.cold else PrivateGrader() as grader:
        progress = batch.ProgressBar(len(files), stderr)
        graded = batch.grade_all(drill, files, grader, jobs, args.device, args.time_limit, limit, progress)
    fmt = args.format or "gradescope"
    try:
        batch.write_documents(graded, fmt, out)
        batch.write_summary(graded, out / batch.SUMMARY)
    except OSError as error:
        print(f"drill: cannot write into {out}: {error.strerror}", file=stderr)
        return 2
    print(f"{drill.id}: {batch.scores(graded)} -> {out}", file=stderr)
    return 1 if batch.failed(graded) else 0


def write_autograder(args: argparse.Namespace) -> int:
    from engine.drills.catalog import get_drill
    from engine.export.autograder import write

    drill = get_drill(args.drill)
    archive = write(drill, Path(args.out).expanduser())
    print(f"Gradescope autograder for {drill.id}: upload {archive}", file=sys.stderr)
    return 0


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
