"""``drill quiz``: the plain-terminal quiz and the bank check. ``register`` adds the subcommand;
the work is imported only when the command runs, so building the parser stays cheap.

Exit status: 0 when the quiz ran (finished or stopped), 1 when there is nothing to ask or the
database cannot be used, 2 when the bank is malformed (one line per problem on stderr).
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, TextIO

from engine.quiz.catalog import SECTIONS, TOPICS

if TYPE_CHECKING:
    from engine.quiz.bank import Bank
    from engine.quiz.session import QuizSession

# Session ids start at 1, so 0 can stand for "the latest unfinished one".
_LATEST = 0


def _positive(text: str) -> int:
    # argparse names the type function in its message ("invalid _positive value") unless it raises this.
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "quiz",
        help="multiple-choice quiz in the plain terminal",
        description="A multiple-choice quiz in the plain terminal. Answers are read one per line, so input can be piped.",
    )
    parser.add_argument("--topic", action="append", choices=TOPICS, help="only this topic (repeatable)")
    parser.add_argument("--section", action="append", choices=SECTIONS, metavar="SECTION", help="only this section (repeatable)")
    parser.add_argument("--difficulty", action="append", type=int, choices=(1, 2, 3), help="only this difficulty (repeatable)")
    parser.add_argument("--tag", action="append", help="only questions with this tag (repeatable: any of them)")
    parser.add_argument("--count", type=_positive, default=10, help="number of questions (default 10)")
    parser.add_argument("--seed", type=int, help="fixes the questions drawn and the order of their choices")
    parser.add_argument("--review", action="store_true", help="due questions first, then the weakest topics")
    parser.add_argument(
        "--resume", nargs="?", const=_LATEST, type=_positive, metavar="SESSION",
        help="carry on a saved session (default: the latest unfinished one)",
    )
    parser.add_argument(
        "--check", action="store_true", help="validate the bank, recompute its facts and try its typed answers, then exit"
    )
    parser.set_defaults(func=run)
    return parser


def run(args: argparse.Namespace, stdin: TextIO | None = None, stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    from engine.quiz.bank import load_bank
    from engine.quiz.session import EmptySelection, QuizSession, SessionSpec
    from engine.quiz.terminal import run_session
    from engine.store import open_store

    stdin, stdout, stderr = stdin or sys.stdin, stdout or sys.stdout, stderr or sys.stderr
    bank = load_bank()
    if args.check:
        return _check(bank, stdout, stderr)

    try:
        with open_store(stderr) as store:
            if args.resume is not None:
                session = QuizSession.resume(bank, store, None if args.resume == _LATEST else args.resume)
                if session is None:
                    print("There is no quiz session to resume.", file=stderr)
                    return 1
            else:
                spec = SessionSpec(
                    topics=tuple(args.topic or ()),
                    sections=tuple(args.section or ()),
                    difficulties=tuple(args.difficulty or ()),
                    tags=tuple(args.tag or ()),
                    count=args.count,
                    seed=args.seed,
                    review=args.review,
                )
                session = QuizSession.start(bank, store, spec)
                if spec.review:
                    _say_what_is_due(session, stdout)
            return run_session(session, stdin, stdout)
    except EmptySelection as error:
        print(f"{error}.", file=stderr)
        return 1


def _say_what_is_due(session: QuizSession, stdout: TextIO) -> None:
    """A review session takes the due questions first and fills up from the weakest topics: say how many were due."""
    from datetime import datetime, timezone

    now = datetime.now(timezone.utc)
    dates = session.store.review_due_dates()
    due = sum(question.id in dates and dates[question.id] <= now for question in session.questions)
    rest = len(session.questions) - due
    if not due:
        print("Nothing is due for review: these questions come from your weakest topics.", file=stdout)
    else:
        print(f"{due} due for review" + (f", then {rest} more from your weakest topics." if rest else "."), file=stdout)


def _check(bank: Bank, stdout: TextIO, stderr: TextIO) -> int:
    from engine.quiz.facts import verify_facts
    from engine.quiz.typed import verify_typed

    problems = verify_facts(bank) + verify_typed(bank)
    for problem in problems:
        print(problem, file=stderr)
    print(f"{len(bank)} questions", file=stdout)
    for key in ("kind", "topic", "section"):
        print(f"by {key}:", file=stdout)
        for name, count in sorted(bank.counts(key).items()):
            print(f"  {name:26} {count:4}", file=stdout)
    return 2 if problems else 0
