"""A mock exam in progress: timing, answering, grading, pausing, resuming and submitting.

Time: ``clock`` returns epoch seconds (``time.time`` by default). It has to be epoch time, not
``time.monotonic``, because an exam can be resumed by another process. The exam counts the time
it has been *running*: a paused exam (``pause()``, which the terminal calls when the learner
stops or the input ends) does not use time, but an exam left without a pause (the process was
killed) keeps counting, as the real assessment's timer would. Time is capped at the limit, and
a clock that goes backwards adds nothing.

Per-item timing: the running time is attributed to whichever item is current, so an item's
``time_s`` adds up every visit to it, grading included for a drill.

Expiry: any action on an exam whose time is up submits it instead (``auto_submitted``) and raises
:class:`TimeUp`, carrying the result; the late answer is not recorded. A drill submission that
started in time counts even if grading ends after the deadline. ``resume`` submits an exam whose
time ran out while it was away.

Answers are final, and sealed: as in the real assessment, nothing is marked until the exam is
submitted or its time runs out. Until then every answer and drill submission waits in the exam's
saved state (``sealed``), out of the learner's history, so that no count, mastery, report or
review schedule can show an unfinished exam's marks. Submitting releases them in the same
transaction that marks the exam finished: each answer becomes a quiz attempt (at the moment it was
given) and a review of the question's card (at the moment of marking, when the learner learns the
verdict), each submission a drill attempt.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from engine.drills import workspace as drill_workspace
from engine.drills.catalog import Drill, all_drills, get_drill
from engine.drills.results import RunResult
from engine.exam.compose import ExamError, ExamSpec, compose, exam_drills
from engine.exam.items import DRILL, QUESTION, ExamItem, ExamResult, tally
from engine.quiz import review
from engine.quiz.bank import Bank
from engine.quiz.models import Choice, ChoiceQuestion, Question, TypedQuestion
from engine.quiz.session import choice_order, score_answer
from engine.quiz.typed import TypedVerdict, judge
from engine.store import ExamRecord, Store

Clock = Callable[[], float]
# engine.drills.runner.run_drill's signature: (drill id, file, device=None) -> RunResult.
Grader = Callable[..., RunResult]


class TimeUp(Exception):
    """The time limit has passed: the exam was submitted and the action that noticed it was not applied."""

    def __init__(self, result: ExamResult):
        super().__init__("time is up: the exam was submitted")
        self.result = result


@dataclass(frozen=True)
class PresentedItem:
    """An item as the learner sees it: for a question, its choices in the exam's shuffled order."""

    index: int
    number: int
    total: int
    item: ExamItem
    question: Question | None = None
    choices: tuple[Choice, ...] = ()
    drill: Drill | None = None


def _moment(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, timezone.utc)


def _run_drill(drill_id: str, path: Path, device: str | None = None) -> RunResult:
    # Imported here so that the exam starts without the runner's subprocess machinery.
    from engine.drills.runner import run_drill

    return run_drill(drill_id, path, device=device)


@dataclass(eq=False)
class Exam:
    store: Store = field(repr=False)
    bank: Bank = field(repr=False)
    id: int
    spec: ExamSpec
    items: list[ExamItem]
    started_at: float
    clock: Clock = field(repr=False)
    grader: Grader = field(repr=False)
    drills: Mapping[str, Drill] = field(repr=False)
    current: int | None = 0
    elapsed_s: float = 0.0
    running_since: float | None = None
    auto_submitted: bool = False
    finished_at: float | None = None
    # Answers and drill submissions not yet in the learner's history: released by finish().
    sealed: list[dict[str, Any]] = field(default_factory=list)

    # Starting and resuming

    @classmethod
    def start(
        cls,
        bank: Bank,
        store: Store,
        spec: ExamSpec,
        clock: Clock = time.time,
        *,
        drills: Iterable[Drill] | None = None,
        grader: Grader = _run_drill,
    ) -> Exam:
        """Compose a new exam from ``spec`` (a random seed when it has none) and start its timer."""
        if spec.seed is None:
            spec = replace(spec, seed=secrets.randbelow(1_000_000))
        pool = tuple(drills) if drills is not None else exam_drills()
        items = compose(bank, pool, spec)
        now = clock()
        exam = cls(store, bank, 0, spec, items, now, clock, grader, {d.id: d for d in pool}, running_since=now)
        exam.id = store.create_exam(spec.to_json(), exam._state(), _moment(now))
        return exam

    @classmethod
    def resume(
        cls,
        store: Store,
        bank: Bank,
        clock: Clock = time.time,
        *,
        exam_id: int | None = None,
        drills: Iterable[Drill] | None = None,
        grader: Grader = _run_drill,
    ) -> Exam | None:
        """The given exam, or the latest unfinished one, with its timer running again; None when there is none.

        An exam whose time ran out meanwhile comes back submitted. Questions since removed from
        the bank are voided (worth nothing) rather than blocking the exam.
        """
        record = store.exam(exam_id) if exam_id is not None else store.latest_unfinished_exam()
        if record is None:
            return None
        pool = tuple(drills) if drills is not None else all_drills()
        exam = cls._from_record(record, store, bank, clock, grader, {d.id: d for d in pool})
        if exam.finished:
            return exam
        for index, item in enumerate(exam.items):
            if item.kind == QUESTION and item.ref not in bank and not item.answered:
                item.max_points, item.answered = 0.0, True
                if index == exam.current:
                    exam.current = exam._next_unanswered(exclude_current=True)
        if exam.running_since is None:
            exam.running_since = clock()
        exam._save()
        exam.check_time()
        return exam

    @classmethod
    def _from_record(
        cls, record: ExamRecord, store: Store, bank: Bank, clock: Clock, grader: Grader, drills: Mapping[str, Drill]
    ) -> Exam:
        state = record.state
        return cls(
            store, bank, record.id, ExamSpec.from_json(record.spec),
            [ExamItem.from_json(item) for item in state["items"]],
            record.started_at.timestamp(), clock, grader, drills,
            current=state["current"], elapsed_s=state["elapsed_s"], running_since=state["running_since"],
            auto_submitted=state["auto_submitted"],
            finished_at=record.finished_at.timestamp() if record.finished_at else None,
            sealed=state.get("sealed", []),
        )

    # Time

    @property
    def finished(self) -> bool:
        return self.finished_at is not None

    @property
    def paused(self) -> bool:
        return not self.finished and self.running_since is None

    def time_used(self) -> float:
        used = self.elapsed_s
        if self.running_since is not None:
            used += max(0.0, self.clock() - self.running_since)
        return min(used, self.spec.limit_s)

    def time_left(self) -> float:
        return self.spec.limit_s - self.time_used()

    def is_expired(self) -> bool:
        return self.time_left() <= 0

    def check_time(self) -> bool:
        """Submit the exam if its time is up; True when it is (now) finished. For a UI's timer tick."""
        if not self.finished and self.is_expired():
            self.finish(auto=True)
        return self.finished

    def pause(self) -> None:
        """Stop the timer; the next action (or ``resume`` in a later process) starts it again."""
        if self.finished or self.running_since is None:
            return
        self._settle()
        self.running_since = None
        self._save()

    # Items

    def item_at(self, index: int) -> PresentedItem:
        item = self.items[index]
        presented = PresentedItem(index, index + 1, len(self.items), item)
        if item.kind == DRILL:
            return replace(presented, drill=self._drill(item.ref))
        question = self.bank.get(item.ref)
        if question is None:
            return presented
        choices = question.choices if isinstance(question, ChoiceQuestion) else []
        return replace(presented, question=question, choices=tuple(choices[i] for i in choice_order(self._seed, question)))

    @property
    def current_item(self) -> PresentedItem | None:
        """The item being worked on; None once every item is answered (or the exam is finished)."""
        if self.finished or self.current is None:
            return None
        return self.item_at(self.current)

    def goto(self, index: int) -> None:
        if not 0 <= index < len(self.items):
            raise ExamError(f"items are numbered 1 to {len(self.items)}")
        self._guard()
        self._settle()
        self.current = index
        self._save()

    def skip(self) -> None:
        """Move to the next unanswered item after the current one, wrapping around.

        With no other item left unanswered, an unanswered current item stays current, and an
        answered one (a graded drill) is left: ``current_item`` becomes None.
        """
        self._guard()
        self._settle()
        following = self._next_unanswered(exclude_current=True)
        if following is not None:
            self.current = following
        elif self.current is not None and self.items[self.current].answered:
            self.current = None
        self._save()

    def answer_question(self, positions: Iterable[int]) -> ExamItem:
        """Answer the current choice question; ``positions`` index its choices as presented, from 0."""
        item, question = self._open_question()
        if not isinstance(question, ChoiceQuestion):
            raise ExamError("this question takes a typed answer")
        picked = _picks(question, positions, choice_order(self._seed, question))
        correct, credit = score_answer(question, picked)
        item.picked = picked
        self._mark(item, question, correct, credit, picked)
        return item

    def answer_typed(self, text: str) -> TypedVerdict:
        """Answer the current typed question with the text for its blank; the verdict is kept until the end."""
        item, question = self._open_question()
        if not isinstance(question, TypedQuestion):
            raise ExamError("this question takes a choice number")
        if not text.strip():
            raise ExamError("type what goes in the blank")
        verdict = judge(question, text)
        item.typed = verdict.given
        item.diagnoses = [verdict.feedback.key] if verdict.feedback else []
        self._mark(item, question, verdict.accepted, float(verdict.accepted), [])
        return verdict

    def _open_question(self) -> tuple[ExamItem, Question]:
        self._guard()
        presented = self.current_item
        if presented is None or presented.question is None:
            raise ExamError("the current item is not a question")
        if presented.item.answered:
            raise ExamError("this question is already answered")
        return presented.item, presented.question

    def _mark(self, item: ExamItem, question: Question, correct: bool, credit: float, picked: list[int]) -> None:
        """Record a final answer in the exam's state; it is sealed, and reaches the learner's history
        (quiz attempts, review cards) only when the exam is submitted or runs out."""
        self._settle()
        item.answered, item.correct = True, correct
        item.points = item.max_points if correct else 0.0
        self.sealed.append({
            "kind": QUESTION, "question_id": question.id, "topic": item.topic, "section": question.section,
            "correct": correct, "credit": credit, "picked": picked, "duration_s": item.time_s, "at": self.clock(),
        })
        self.current = self._next_unanswered(exclude_current=False)
        self._save()

    def prepare_drill(self, workspace: Path | None = None) -> Path:
        """The learner's file for the current drill, written from the starter on first visit.

        Exam files live in ``<workspace>/exam-<id>/``, apart from the learner's practice files.
        """
        self._guard()
        presented = self.current_item
        if presented is None or presented.drill is None:
            raise ExamError("the current item is not a drill")
        item, drill = presented.item, presented.drill
        if item.file and Path(item.file).is_file():
            return Path(item.file)
        if workspace is None:
            from engine.paths import workspace as default_workspace

            workspace = default_workspace()
        folder = Path(workspace) / f"exam-{self.id}"
        folder.mkdir(parents=True, exist_ok=True)
        # A debug drill records which bug it drew; the practice copy's record must survive the exam's draw.
        key = f"debug:{drill.id}"
        practice = self.store.get_state(key)
        path, _ = drill_workspace.start(drill, folder, self.store, seed=self.spec.seed)
        if drill.debug:
            self.store.set_state(key, practice)
        item.file = str(path)
        self._save()
        return path

    def submit_drill(self, path: str | Path | None = None, device: str | None = None) -> RunResult:
        """Grade the current drill's file (or ``path``); the latest submission is the one that counts."""
        self._guard()
        presented = self.current_item
        if presented is None or presented.drill is None:
            raise ExamError("the current item is not a drill")
        item = presented.item
        target = Path(path) if path is not None else Path(item.file) if item.file else None
        if target is None or not target.is_file():
            raise ExamError(f"there is no file to grade{f' at {target}' if target else ''}")
        self._settle()
        result = self.grader(item.ref, target, device=device)
        self._settle()
        item.answered = True
        item.submissions += 1
        item.status = result.status
        item.diagnoses = [diagnosis.key for diagnosis in result.diagnoses]
        item.result = result.to_dict()
        item.points = item.max_points * result.score / result.max_score if result.max_score else 0.0
        item.file = str(target)
        self.sealed.append({
            "kind": DRILL, "drill_id": result.drill, "status": result.status, "score": result.score,
            "max_score": result.max_score, "diagnoses": item.diagnoses, "duration_s": result.duration_s,
            "file": str(target), "at": self.clock(),
        })
        self._save()
        self.check_time()
        return result

    # Submitting

    def finish(self, auto: bool = False) -> ExamResult:
        """Submit the exam (unanswered items score nothing) and return its result; idempotent."""
        if self.finished:
            return self.result()
        self._settle()
        self.running_since = None
        self.auto_submitted = auto
        self.finished_at = self.clock()
        with self.store.transaction():
            self._release(_moment(self.finished_at))
            self._save()
        return self.result()

    def result(self) -> ExamResult:
        return tally(
            exam_id=self.id,
            seed=self._seed,
            items=self.items,
            time_used_s=self.time_used(),
            time_limit_s=self.spec.limit_s,
            auto_submitted=self.auto_submitted,
            started_at=_moment(self.started_at),
            finished_at=_moment(self.finished_at) if self.finished_at is not None else None,
        )

    # Internals

    def _release(self, marked: datetime) -> None:
        """Move the sealed answers and submissions into the learner's history (inside finish()'s transaction)."""
        for entry in self.sealed:
            if entry["kind"] == QUESTION:
                self.store.record_quiz_attempt(
                    entry["question_id"], entry["topic"], entry["section"], entry["correct"], entry["credit"],
                    entry["picked"], entry["duration_s"], None, _moment(entry["at"]),
                )
                review.update_card(self.store, entry["question_id"], entry["correct"], entry["duration_s"], marked)
            else:
                self.store.record_drill_attempt(
                    entry["drill_id"], entry["status"], entry["score"], entry["max_score"], entry["diagnoses"],
                    entry["duration_s"], entry["file"], extra={"exam": self.id}, created_at=_moment(entry["at"]),
                )
        self.sealed = []

    @property
    def _seed(self) -> int:
        assert self.spec.seed is not None, "a started exam always has a seed"
        return self.spec.seed

    def _drill(self, drill_id: str) -> Drill:
        return self.drills[drill_id] if drill_id in self.drills else get_drill(drill_id)

    def _guard(self) -> None:
        if self.finished:
            raise ExamError("the exam has been submitted")
        if self.running_since is None:
            self.running_since = self.clock()
        if self.is_expired():
            raise TimeUp(self.finish(auto=True))

    def _settle(self) -> None:
        """Move the time since the last event onto the exam's total and the current item."""
        if self.running_since is None:
            return
        now = self.clock()
        spent = min(max(0.0, now - self.running_since), self.spec.limit_s - self.elapsed_s)
        self.elapsed_s += spent
        if self.current is not None:
            self.items[self.current].time_s += spent
        self.running_since = now

    def _next_unanswered(self, exclude_current: bool) -> int | None:
        start = self.current if self.current is not None else -1
        for step in range(1, len(self.items) + 1):
            index = (start + step) % len(self.items)
            if exclude_current and index == self.current:
                continue
            if not self.items[index].answered:
                return index
        return None

    def _state(self) -> dict[str, Any]:
        return {
            "items": [item.to_json() for item in self.items],
            "current": self.current,
            "elapsed_s": self.elapsed_s,
            "running_since": self.running_since,
            "auto_submitted": self.auto_submitted,
            "sealed": self.sealed,
        }

    def _save(self) -> None:
        finished = _moment(self.finished_at) if self.finished_at is not None else None
        self.store.save_exam(self.id, self._state(), finished_at=finished)


def _picks(question: ChoiceQuestion, positions: Iterable[int], order: list[int]) -> list[int]:
    """Presented positions -> indices into the bank's choice list, refusing impossible answers."""
    chosen = sorted(set(positions))
    if not chosen:
        raise ExamError("pick at least one choice")
    if not all(0 <= position < len(order) for position in chosen):
        raise ExamError(f"choices are numbered 1 to {len(order)}")
    if not question.multi and len(chosen) != 1:
        raise ExamError("pick exactly one choice")
    return sorted(order[position] for position in chosen)
