"""A seeded synthetic learner, and the committed sample reports made from its history.

    python -m engine.reports.sample docs/

writes ``docs/sample-report.html`` and ``docs/sample-report.md``. The learner studies on about
two days in three over four weeks: quizzes (more often right as each topic's skill grows, less
often on harder questions), drills worked through in catalog order (failing attempts carry bugs
from the drill's catalog, one habitual bug per drill the most often), and two mock exams taken with the real
exam engine on a simulated clock, the second one running out of time. Everything is drawn from
the seed and dated from a fixed start, so the same seed, bank and catalog give the same files.
It writes to a temporary database, never to the learner's own.
"""

from __future__ import annotations

import random
import sys
import tempfile
from collections.abc import Sequence
from contextlib import suppress
from datetime import datetime, timedelta, timezone
from pathlib import Path

from engine.drills.catalog import Bug, Drill
from engine.drills.results import FAIL, PASS, Check, Diagnosis, RunResult
from engine.exam.compose import ExamSpec, exam_drills
from engine.exam.session import Exam, TimeUp
from engine.quiz import review
from engine.quiz.bank import Bank, load_bank
from engine.quiz.models import Choice, Question, TypedQuestion
from engine.quiz.typed import judge
from engine.reports.history import History, collect
from engine.reports.render import render
from engine.store import Store

SEED = 7
START = datetime(2025, 3, 3, 17, 0, tzinfo=timezone.utc)
SPAN_DAYS = 28
EXAM_DAYS = (12, 25)
DRILL_POINTS = 10.0


class _Clock:
    """Simulated epoch seconds, moved forward by the learner's pace."""

    def __init__(self, start: datetime):
        self.now = start.timestamp()

    def __call__(self) -> float:
        return self.now


class _Learner:
    def __init__(self, rng: random.Random, topics: Sequence[str]):
        self.rng = rng
        self.skill = {topic: rng.uniform(0.35, 0.6) for topic in topics}
        self.drill_tries: dict[str, int] = {}
        self.habits: dict[str, Bug] = {}

    def knows(self, question: Question) -> bool:
        chance = self.skill.get(question.bank_topic, 0.5) + 0.12 * (2 - question.difficulty)
        return self.rng.random() < min(0.95, chance)

    def improve(self) -> None:
        for topic in self.skill:
            self.skill[topic] = min(0.92, self.skill[topic] + self.rng.uniform(0.01, 0.035))

    def grade(self, drill: Drill) -> RunResult:
        """A drill run as the grader would report it, passing more often with every try."""
        tries = self.drill_tries[drill.id] = self.drill_tries.get(drill.id, 0) + 1
        if self.rng.random() < 0.08 + 0.16 * tries:
            checks = [Check(f"check.{i}", "formula", PASS, "ok", 2.0, 2.0) for i in range(5)]
            return RunResult(drill.id, PASS, checks, duration_s=self.rng.uniform(1.5, 3.0))
        passed = self.rng.randint(1, 4)
        checks = [Check(f"check.{i}", "formula", PASS if i < passed else FAIL, "ok", 2.0 if i < passed else 0.0, 2.0)
                  for i in range(5)]
        diagnoses = []
        if drill.bugs and self.rng.random() < 0.8:
            # Learners repeat their habits: one bug per drill comes back, and others now and then.
            if drill.id not in self.habits:
                self.habits[drill.id] = self.rng.choice(drill.bugs)
            bug = self.habits[drill.id] if self.rng.random() < 0.7 else self.rng.choice(drill.bugs)
            diagnoses.append(Diagnosis(bug.key, bug.title, bug.explanation, bug.hint))
        return RunResult(drill.id, FAIL, checks, diagnoses, duration_s=self.rng.uniform(1.5, 3.0))


def _answer(learner: _Learner, question: Question, choices: Sequence[Choice]) -> list[int]:
    right = [i for i, choice in enumerate(choices) if choice.correct]
    if learner.knows(question):
        return right
    return [learner.rng.choice([i for i in range(len(choices)) if i not in right])]


def _typed(learner: _Learner, question: TypedQuestion) -> str:
    """What the learner types: the course's answer, or one of the mistakes the item catalogues."""
    if learner.knows(question) or not question.mistakes:
        return question.answer
    return learner.rng.choice(question.mistakes).answer


def fill(store: Store, workspace: Path, bank: Bank, drills: Sequence[Drill], seed: int = SEED) -> datetime:
    """Write the synthetic learner's history into ``store``; returns the report's 'now'."""
    rng = random.Random(seed)
    learner = _Learner(rng, sorted({question.bank_topic for question in bank}))
    questions = list(bank)
    queue = list(drills)
    for offset in range(SPAN_DAYS):
        moment = START + timedelta(days=offset, minutes=rng.randint(0, 180))
        if offset in EXAM_DAYS:
            _take_exam(store, bank, drills, learner, moment, workspace, rng, timed_out=offset == EXAM_DAYS[-1])
            continue
        if rng.random() > 0.66:
            continue
        for _ in range(rng.randint(6, 14)):
            question = rng.choice(questions)
            if isinstance(question, TypedQuestion):
                picked, correct = [], judge(question, _typed(learner, question)).accepted
            else:
                picked = _answer(learner, question, question.choices)
                correct = set(picked) == question.correct_indices
            duration = rng.uniform(8, 75)
            moment += timedelta(seconds=duration)
            store.record_quiz_attempt(question.id, question.bank_topic, question.section, correct, float(correct), picked,
                                      duration, None, moment)
            review.update_card(store, question.id, correct, duration, moment)
        if queue and rng.random() < 0.7:
            drill = queue[0]
            for _ in range(rng.randint(1, 3)):
                moment += timedelta(minutes=rng.randint(3, 12))
                result = learner.grade(drill)
                store.record_drill_attempt(drill.id, result.status, result.score, result.max_score,
                                           [d.key for d in result.diagnoses], result.duration_s,
                                           str(workspace / f"{drill.id}.py"), created_at=moment)
                if result.status == PASS:
                    queue.pop(0)
                    break
        learner.improve()
    return START + timedelta(days=SPAN_DAYS)


def _take_exam(store: Store, bank: Bank, drills: Sequence[Drill], learner: _Learner, moment: datetime, workspace: Path,
               rng: random.Random, timed_out: bool) -> None:
    clock = _Clock(moment)
    spec = ExamSpec(minutes=30 if timed_out else 45, seed=rng.randint(1, 999), questions_per_topic=2, drills=2)
    exam = Exam.start(bank, store, spec, clock, drills=drills, grader=lambda drill_id, path, device=None: learner.grade(
        next(drill for drill in drills if drill.id == drill_id)))
    pace = 2.0 if timed_out else 0.8
    # Running out of time ends the exam by raising TimeUp: the timed-out sample exam wants that.
    with suppress(TimeUp):
        while (presented := exam.current_item) is not None:
            if presented.drill is not None:
                exam.prepare_drill(workspace)
                for _ in range(2):
                    clock.now += rng.uniform(200, 420) * pace
                    if exam.submit_drill().status == PASS or exam.finished:
                        break
                if not exam.finished:
                    exam.skip()
            else:
                clock.now += rng.uniform(25, 110) * pace
                question = presented.question
                if question is None:
                    raise LookupError("the sample exam drew a question its own bank does not hold")
                if isinstance(question, TypedQuestion):
                    exam.answer_typed(_typed(learner, question))
                else:
                    exam.answer_question(_answer(learner, question, presented.choices))
        exam.finish()


def sample_history(folder: Path, seed: int = SEED) -> History:
    """The synthetic learner's history, built in a fresh database under ``folder``."""
    bank = load_bank()
    drills = exam_drills()
    with Store(folder / "sample.sqlite3") as store:
        now = fill(store, folder / "workspace", bank, drills, seed)
        return collect(store, bank, now=now)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m engine.reports.sample OUTPUT_FOLDER", file=sys.stderr)
        return 2
    target = Path(args[0])
    target.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        history = sample_history(Path(scratch))
    for fmt, name in (("html", "sample-report.html"), ("md", "sample-report.md")):
        (target / name).write_text(render(history, fmt), encoding="utf-8")
        print(target / name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
