"""``drill exam``: a timed mock assessment in the plain terminal. ``register`` adds the subcommand;
the work is imported only when it runs, so building the parser stays cheap (and torch-free).

Exit status: 0 when the exam ran (submitted or paused), 1 when the database cannot be used,
2 for a mistake the user can fix (nothing to resume, an unfinished exam in the way, a malformed
bank, an exam that would ask nothing), with one line on stderr.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from engine.quiz.catalog import TOPICS

if TYPE_CHECKING:
    from engine.quiz.bank import Bank
    from engine.store import Store

# Exam ids start at 1, so 0 can stand for "the latest unfinished one".
_LATEST = 0


def _number(text: str, kind: type[int] | type[float]) -> float:
    # argparse names the type function in its message ("invalid _count value") unless it raises this.
    try:
        return kind(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a {'whole ' if kind is int else ''}number") from None


def _count(text: str) -> int:
    value = int(_number(text, int))
    if value < 0:
        raise argparse.ArgumentTypeError("cannot be negative")
    return value


def _minutes(text: str) -> float:
    value = _number(text, float)
    if not value > 0:
        raise argparse.ArgumentTypeError("must be more than 0")
    return value


def _exam_id(text: str) -> int:
    value = int(_number(text, int))
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "exam",
        help="a timed mock assessment: questions and coding drills",
        description="A timed mock assessment in the plain terminal: questions from every topic plus coding drills, "
        "marked at the end with a breakdown by topic. Answers are read one per line, so input can be piped.",
    )
    parser.add_argument("--minutes", type=_minutes, default=45.0, help="time limit (default 45)")
    parser.add_argument("--seed", type=int, help="fixes the questions and drills drawn and their order")
    parser.add_argument("--questions-per-topic", type=_count, default=3, metavar="N", help="questions drawn per topic (default 3)")
    parser.add_argument("--drills", type=_count, default=2, metavar="N", help="coding drills (default 2)")
    parser.add_argument("--topic", action="append", choices=TOPICS, help="only this topic (repeatable)")
    parser.add_argument(
        "--resume", nargs="?", const=_LATEST, type=_exam_id, metavar="EXAM",
        help="carry on a paused exam (default: the latest unfinished one)",
    )
    parser.add_argument("--new", action="store_true", help="submit an unfinished exam as it is and start a new one")
    parser.add_argument("--workspace", help="folder for your drill files (default: $DRILL_HOME/workspace)")
    parser.add_argument("--device", help="for grading drills: cpu, cuda or cuda:N")
    parser.set_defaults(func=run)
    return parser


def run(args: argparse.Namespace, stdin: TextIO | None = None, stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    from engine.paths import workspace
    from engine.quiz.bank import load_bank
    from engine.store import open_store

    stdin, stdout, stderr = stdin or sys.stdin, stdout or sys.stdout, stderr or sys.stderr
    bank = load_bank()
    with open_store(stderr) as store:
        return _run(args, bank, store, stdin, stdout, workspace(args.workspace))


def _run(args: argparse.Namespace, bank: Bank, store: Store, stdin: TextIO, stdout: TextIO, folder: Path) -> int:
    from engine.errors import UsageError
    from engine.exam.compose import ExamSpec
    from engine.exam.session import Exam
    from engine.exam.terminal import run_exam

    if args.resume is not None:
        exam = Exam.resume(store, bank, exam_id=None if args.resume == _LATEST else args.resume)
        if exam is None:
            missing = "unfinished exam" if args.resume == _LATEST else f"exam {args.resume}"
            raise UsageError(f"there is no {missing} to resume; `drill exam` starts one")
    else:
        unfinished = store.latest_unfinished_exam()
        if unfinished is not None:
            if not args.new:
                raise UsageError(
                    f"exam {unfinished.id} is not finished: `drill exam --resume` carries it on, "
                    "`drill exam --new` submits it as it is and starts a new one"
                )
            stale = Exam.resume(store, bank, exam_id=unfinished.id)
            if stale is not None:
                stale.finish()
        spec = ExamSpec(
            minutes=args.minutes,
            seed=args.seed,
            questions_per_topic=args.questions_per_topic,
            drills=args.drills,
            topics=tuple(args.topic or ()),
        )
        exam = Exam.start(bank, store, spec)
    return run_exam(exam, stdin, stdout, workspace=folder, device=args.device)
