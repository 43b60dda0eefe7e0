"""The quiz bank's data model. ``quiz_bank/schema.json`` is generated from these classes.

A question is one of two kinds:

- ``choice`` (the default): multiple choice, one or several correct choices;
- ``typed``: a line of code with a blank (``____``) that the learner fills by typing, as in the
  assessment's notebook. The answer is judged by meaning (``engine.quiz.typed``), and each
  catalogued wrong answer (``mistakes``) comes with its own feedback.

Rules that JSON Schema cannot state (the number of correct choices, what a multi-answer prompt
must say, where the blank is) are field validators, so that an error points at the field to fix.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    ValidationInfo,
    field_validator,
    model_validator,
)

from engine.quiz.blank_code import BLANK, BlankError, fill, parse_template
from engine.quiz.catalog import CHOICE, SECTIONS, TOPICS, TYPED

Topic = Literal[TOPICS]  # type: ignore[valid-type]
Section = Literal[SECTIONS]  # type: ignore[valid-type]

ID_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
KEY_PATTERN = r"^[a-z0-9_]+(\.[a-z0-9_]+)+$"
MULTI_MARKER = "all that apply"
# Unanchored, as JSON Schema patterns are: the text holds at least one visible character.
VISIBLE_PATTERN = r"\S"
# What the plain-terminal quiz and exam read as "stop", "skip" or "next" rather than as an answer.
RESERVED_ANSWERS = frozenset({"q", "quit", "s", "skip", "n", "next"})


class _Strict(BaseModel):
    # Unknown keys are typos more often than not; rejecting them also makes the schema say so.
    model_config = ConfigDict(extra="forbid", frozen=True)


class Choice(_Strict):
    text: str = Field(pattern=VISIBLE_PATTERN, description="The choice as shown to the learner (Markdown).")
    correct: bool
    why: str = Field(pattern=VISIBLE_PATTERN, description="Why this choice is right, or why it is wrong.")


class Fact(_Strict):
    """A computation whose result must appear verbatim where the question states it: in every correct
    answer and in no wrong one (``where: answer``), or in the prompt (``where: prompt``)."""

    name: str = Field(pattern=VISIBLE_PATTERN, description="A name in the fact registry (quiz_bank.facts).")
    args: dict[str, Any] = Field(default_factory=dict, description="Keyword arguments for that computation.")
    where: Literal["answer", "prompt"] = Field(default="answer", description="Where the computed text must appear.")


class Mistake(_Strict):
    """A wrong answer that learners type, with the feedback it deserves (keyed like a drill's diagnosis)."""

    answer: str = Field(pattern=VISIBLE_PATTERN, description="The wrong text for the blank; judged like the learner's.")
    key: str = Field(pattern=KEY_PATTERN, description="A stable dotted key, e.g. course.guidance.lessons_form.")
    title: str = Field(pattern=VISIBLE_PATTERN, description="What the mistake is, in a few words.")
    explanation: str = Field(pattern=VISIBLE_PATTERN, description="Why it is wrong and what the course writes.")


class Variable(_Strict):
    """Where random values of a name in a typed item's code are drawn, to compare answers by evaluation."""

    low: float
    high: float
    integer: bool = Field(default=False, description="An integer scalar (an index) instead of a float array.")

    @model_validator(mode="after")
    def _ordered(self) -> Variable:
        if not self.low < self.high:
            raise ValueError("low must be less than high")
        return self


class _QuestionBase(_Strict):
    id: str = Field(pattern=ID_PATTERN, description="Stable and unique across every bank file.")
    topic: Topic | None = Field(
        default=None, description="Optional; when given it must equal the file's topic, which it defaults to."
    )
    section: Section
    difficulty: int = Field(ge=1, le=3)
    tags: list[str] = Field(default_factory=list)
    prompt: str = Field(pattern=VISIBLE_PATTERN, description="Markdown; may contain fenced code blocks.")
    explanation: str = Field(pattern=VISIBLE_PATTERN)
    facts: list[Fact] = Field(default_factory=list, description="Every number or shape the question states, computed.")

    @property
    def bank_topic(self) -> str:
        """The topic of a question loaded through the bank, which fills it in from the file's name."""
        if self.topic is None:
            raise ValueError(f"question {self.id} did not come through the bank, which fills in its topic")
        return str(self.topic)


class ChoiceQuestion(_QuestionBase):
    kind: Literal["choice"] = CHOICE
    multi: bool = Field(default=False, description=f"Several correct choices; the prompt must say '{MULTI_MARKER}'.")
    choices: list[Choice] = Field(min_length=2, max_length=6)

    @field_validator("multi")
    @classmethod
    def _multi_is_announced(cls, multi: bool, info: ValidationInfo) -> bool:
        prompt = info.data.get("prompt")
        if multi and prompt is not None and MULTI_MARKER not in prompt.lower():
            raise ValueError(f"a multi-answer question's prompt must say '{MULTI_MARKER}'")
        return multi

    @field_validator("choices")
    @classmethod
    def _correct_count_fits(cls, choices: list[Choice], info: ValidationInfo) -> list[Choice]:
        n_correct = sum(choice.correct for choice in choices)
        if n_correct == 0:
            raise ValueError("no choice is marked correct")
        if n_correct > 1 and not info.data.get("multi", False):
            raise ValueError(f"{n_correct} choices are correct but multi is false")
        texts = [choice.text.strip() for choice in choices]
        if len(set(texts)) != len(texts):
            raise ValueError("two choices have the same text")
        return choices

    @property
    def correct_indices(self) -> frozenset[int]:
        return frozenset(i for i, choice in enumerate(self.choices) if choice.correct)


class TypedQuestion(_QuestionBase):
    kind: Literal["typed"]
    code: str = Field(description=f"Python code with one blank, written {BLANK}; shown to the learner as is.")
    answer: str = Field(pattern=VISIBLE_PATTERN, description="What the course's code has in the blank.")
    also: list[str] = Field(
        default_factory=list,
        description="Other right answers that normalisation cannot see, e.g. range(T - 1, -1, -1) for reversed(range(T)).",
    )
    variables: dict[str, Variable] = Field(
        default_factory=dict,
        description="Names in the code with the ranges of their random values: answers that evaluate to the "
        "same numbers there are accepted. Without variables, answers are compared as normalised code.",
    )
    mistakes: list[Mistake] = Field(default_factory=list, description="Wrong answers with their own feedback.")

    @property
    def multi(self) -> bool:
        """A typed question has one answer, like a single-answer choice question."""
        return False

    @field_validator("code")
    @classmethod
    def _one_blank(cls, code: str) -> str:
        try:
            parse_template(code)
        except BlankError as error:
            raise ValueError(str(error)) from None
        return code

    @field_validator("answer")
    @classmethod
    def _answer_fits(cls, answer: str, info: ValidationInfo) -> str:
        if answer.strip().lower() in RESERVED_ANSWERS:
            raise ValueError(f"'{answer}' reads as a command in the plain terminal; rephrase the blank")
        _fits(info.data.get("code"), answer, "")
        return answer

    @field_validator("also")
    @classmethod
    def _also_fits(cls, also: list[str], info: ValidationInfo) -> list[str]:
        for index, text in enumerate(also):
            _fits(info.data.get("code"), text, f"[{index}]: ")
        return also

    @field_validator("mistakes")
    @classmethod
    def _mistakes_fit(cls, mistakes: list[Mistake], info: ValidationInfo) -> list[Mistake]:
        keys = [mistake.key for mistake in mistakes]
        if len(set(keys)) != len(keys):
            raise ValueError("two mistakes have the same key")
        for index, mistake in enumerate(mistakes):
            _fits(info.data.get("code"), mistake.answer, f"[{index}].answer: ")
        return mistakes


def _fits(code: str | None, text: str, where: str) -> None:
    """Raise ValueError when ``text`` cannot stand in the blank of ``code`` (not checked if the code is invalid)."""
    if code is None:
        return
    try:
        fill(code, text)
    except BlankError as error:
        raise ValueError(f"{where}{error}") from None


def _kind_of(data: Any) -> str:
    kind = data.get("kind", CHOICE) if isinstance(data, dict) else getattr(data, "kind", CHOICE)
    return kind if kind in (CHOICE, TYPED) else ""


Question = Annotated[
    Annotated[ChoiceQuestion, Tag(CHOICE)] | Annotated[TypedQuestion, Tag(TYPED)],
    Discriminator(_kind_of, custom_error_type="kind", custom_error_message="must be 'choice' or 'typed'"),
]


class BankFile(_Strict):
    """One file of the bank: the questions of one topic."""

    model_config = ConfigDict(title="dli-drill quiz bank file")

    schema_: str | None = Field(default=None, alias="$schema", description="For editors; ignored.")
    topic: Topic
    questions: list[Question]
