"""Quiz sessions: selection, shuffling, answering, scoring and resuming. No UI here: the Textual
app and the plain-terminal mode both drive a :class:`QuizSession`.

Selection: a question passes the filters when its topic, section and difficulty are among those
asked for (an empty filter allows all) and it carries at least one of the tags asked for. A
normal session draws ``count`` of them at random; a review session orders them as
``engine.quiz.review`` describes and takes the first ``count``.

Determinism: the seed fixes which questions are drawn, their order, and each question's choice
order. A choice order depends only on the seed and the question id, so it survives a resume.

Scoring: a choice question is *correct* only when the picks are exactly its correct choices
(all-or-nothing); this is the score. Alongside it, the partial *credit* of one answer is
``max(0, (right picks - wrong picks) / number of correct choices)``: each wrong pick cancels a
right one, so ticking every box of a "select all that apply" question earns little or nothing.
For a single-answer question, and for a typed one (``answer_typed``, judged by
``engine.quiz.typed``), credit is 1 or 0, so only a session with multi-answer questions has
partial credit worth showing (``Score.partial``).

Every answer is recorded in the store, updates the question's review card and saves the
session's state, in one transaction; a session can be resumed from its last saved answer.
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timezone
from typing import Any

from engine.quiz import review
from engine.quiz.bank import Bank
from engine.quiz.models import Choice, ChoiceQuestion, Question, TypedQuestion
from engine.quiz.typed import TypedVerdict, judge
from engine.store import Store


class EmptySelection(ValueError):
    """No question in the bank passes the session's filters."""


@dataclass(frozen=True)
class SessionSpec:
    topics: tuple[str, ...] = ()
    sections: tuple[str, ...] = ()
    difficulties: tuple[int, ...] = ()
    tags: tuple[str, ...] = ()
    count: int = 10
    seed: int | None = None
    review: bool = False

    def __post_init__(self) -> None:
        if self.count < 1:
            raise ValueError("count must be at least 1")

    def matches(self, question: Question) -> bool:
        return (
            (not self.topics or question.topic in self.topics)
            and (not self.sections or question.section in self.sections)
            and (not self.difficulties or question.difficulty in self.difficulties)
            and (not self.tags or not set(self.tags).isdisjoint(question.tags))
        )

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SessionSpec:
        # JSON has no tuples: the list fields come back as lists.
        fields: dict[str, Any] = {key: tuple(value) if isinstance(value, list) else value for key, value in data.items()}
        return cls(**fields)


def score_answer(question: ChoiceQuestion, picked: Iterable[int]) -> tuple[bool, float]:
    """``(correct, credit)`` for picks given as indices into the question's own choice list."""
    chosen = set(picked)
    right = len(chosen & question.correct_indices)
    wrong = len(chosen - question.correct_indices)
    credit = max(0.0, (right - wrong) / len(question.correct_indices))
    return chosen == question.correct_indices, credit


def choice_order(seed: int, question: Question) -> list[int]:
    """The order in which a question's choices are shown (empty for a typed question)."""
    order = list(range(len(question.choices))) if isinstance(question, ChoiceQuestion) else []
    random.Random(f"{seed}/{question.id}").shuffle(order)
    return order


@dataclass(frozen=True)
class PresentedQuestion:
    number: int
    total: int
    question: Question
    choices: list[Choice]


@dataclass(frozen=True)
class ChoiceFeedback:
    text: str
    correct: bool
    picked: bool
    why: str


@dataclass(frozen=True)
class AnswerResult:
    """The verdict on one answer: per-choice feedback for a choice question, ``typed`` for a typed one."""

    question: Question
    correct: bool
    credit: float
    feedback: list[ChoiceFeedback]
    due: datetime
    typed: TypedVerdict | None = None

    @property
    def explanation(self) -> str:
        return self.question.explanation

    @property
    def partial(self) -> bool:
        """Whether partial credit means anything here: only for a multi-answer question."""
        return self.question.multi


@dataclass(frozen=True)
class Score:
    answered: int
    correct: int
    credit: float
    total: int
    partial: bool = False


@dataclass
class QuizSession:
    bank: Bank
    store: Store
    id: int
    spec: SessionSpec
    questions: list[Question]
    outcomes: dict[str, dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def start(cls, bank: Bank, store: Store, spec: SessionSpec, now: datetime | None = None) -> QuizSession:
        if spec.seed is None:
            spec = replace(spec, seed=secrets.randbelow(1_000_000))
        candidates = [question for question in bank if spec.matches(question)]
        if not candidates:
            raise EmptySelection("no question matches these filters")
        rng = random.Random(spec.seed)
        if spec.review:
            chosen = review.review_order(candidates, store, now or datetime.now(timezone.utc), rng)[: spec.count]
        else:
            chosen = rng.sample(candidates, min(spec.count, len(candidates)))
        session_id = store.create_quiz_session(spec.to_json(), _state(chosen, {}))
        return cls(bank, store, session_id, spec, chosen)

    @classmethod
    def resume(cls, bank: Bank, store: Store, session_id: int | None = None) -> QuizSession | None:
        """The given session, or the latest unfinished one; questions since removed from the bank are dropped."""
        record = store.quiz_session(session_id) if session_id is not None else store.latest_unfinished_quiz_session()
        if record is None:
            return None
        questions = [bank[qid] for qid in record.state["question_ids"] if qid in bank]
        outcomes = {qid: outcome for qid, outcome in record.state["outcomes"].items() if qid in bank}
        return cls(bank, store, record.id, SessionSpec.from_json(record.spec), questions, outcomes)

    @property
    def finished(self) -> bool:
        return all(question.id in self.outcomes for question in self.questions)

    def current(self) -> PresentedQuestion | None:
        for number, question in enumerate(self.questions, start=1):
            if question.id not in self.outcomes:
                choices = question.choices if isinstance(question, ChoiceQuestion) else []
                order = choice_order(self._seed, question)
                return PresentedQuestion(number, len(self.questions), question, [choices[i] for i in order])
        return None

    def answer(self, positions: Iterable[int], duration_s: float | None = None, now: datetime | None = None) -> AnswerResult:
        """Answer the current choice question; ``positions`` index the choices as presented (from 0)."""
        presented = self._waiting()
        question = presented.question
        if not isinstance(question, ChoiceQuestion):
            raise ValueError("type your answer: this question has no choices")
        chosen = sorted(set(positions))
        if not chosen:
            raise ValueError("pick at least one choice")
        if not all(0 <= position < len(question.choices) for position in chosen):
            raise ValueError(f"choices are numbered 1 to {len(question.choices)}")
        if not question.multi and len(chosen) != 1:
            raise ValueError("pick exactly one choice")

        order = choice_order(self._seed, question)
        picked = sorted(order[position] for position in chosen)
        correct, credit = score_answer(question, picked)
        due = self._record(question, {"picked": picked, "correct": correct, "credit": credit}, picked, duration_s, now)
        feedback = [
            ChoiceFeedback(question.choices[i].text, question.choices[i].correct, i in picked, question.choices[i].why)
            for i in order
        ]
        return AnswerResult(question, correct, credit, feedback, due)

    def answer_typed(self, text: str, duration_s: float | None = None, now: datetime | None = None) -> AnswerResult:
        """Answer the current typed question with the text the learner typed into its blank."""
        presented = self._waiting()
        question = presented.question
        if not isinstance(question, TypedQuestion):
            raise ValueError("pick a choice: this question has no blank to type into")
        if not text.strip():
            raise ValueError("type what goes in the blank")
        verdict = judge(question, text)
        outcome: dict[str, Any] = {
            "picked": [],
            "typed": verdict.given,
            "diagnosis": verdict.feedback.key if verdict.feedback else None,
            "correct": verdict.accepted,
            "credit": float(verdict.accepted),
        }
        due = self._record(question, outcome, [], duration_s, now)
        return AnswerResult(question, verdict.accepted, float(verdict.accepted), [], due, verdict)

    @property
    def _seed(self) -> int:
        assert self.spec.seed is not None, "a started session always has a seed"
        return self.spec.seed

    def _waiting(self) -> PresentedQuestion:
        presented = self.current()
        if presented is None:
            raise ValueError("the session is finished")
        return presented

    def _record(
        self, question: Question, outcome: dict[str, Any], picked: list[int], duration_s: float | None, now: datetime | None
    ) -> datetime:
        """Store the answer, update the question's review card and save the session, in one transaction."""
        outcomes = {**self.outcomes, question.id: outcome}
        topic = question.topic or ""
        with self.store.transaction():
            self.store.record_quiz_attempt(
                question.id, topic, question.section, outcome["correct"], outcome["credit"], picked, duration_s, self.id, now
            )
            due = review.update_card(self.store, question.id, outcome["correct"], duration_s, now)
            finished = all(q.id in outcomes for q in self.questions)
            self.store.save_quiz_session(self.id, _state(self.questions, outcomes), finished=finished)
        self.outcomes = outcomes
        return due

    def score(self) -> Score:
        outcomes = [self.outcomes[q.id] for q in self.questions if q.id in self.outcomes]
        return Score(
            answered=len(outcomes),
            correct=sum(outcome["correct"] for outcome in outcomes),
            credit=sum(outcome["credit"] for outcome in outcomes),
            total=len(self.questions),
            partial=any(question.multi for question in self.questions),
        )


def _state(questions: list[Question], outcomes: dict[str, dict[str, Any]]) -> dict[str, Any]:
    return {"question_ids": [question.id for question in questions], "outcomes": outcomes}
