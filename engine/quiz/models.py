"""The quiz bank's data model. ``quiz_bank/schema.json`` is generated from these classes.

Rules that JSON Schema cannot state (the number of correct choices, what a multi-answer prompt
must say) are field validators, so that an error points at the field to fix.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from engine.quiz.catalog import SECTIONS, TOPICS

Topic = Literal[TOPICS]
Section = Literal[SECTIONS]

ID_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
MULTI_MARKER = "all that apply"
# Unanchored, as JSON Schema patterns are: the text holds at least one visible character.
VISIBLE_PATTERN = r"\S"


class _Strict(BaseModel):
    # Unknown keys are typos more often than not; rejecting them also makes the schema say so.
    model_config = ConfigDict(extra="forbid", frozen=True)


class Choice(_Strict):
    text: str = Field(pattern=VISIBLE_PATTERN, description="The choice as shown to the learner (Markdown).")
    correct: bool
    why: str = Field(pattern=VISIBLE_PATTERN, description="Why this choice is right, or why it is wrong.")


class Fact(_Strict):
    """A reference computation whose result must appear verbatim in every correct choice."""

    name: str = Field(pattern=VISIBLE_PATTERN, description="A name in the fact registry (engine.quiz.facts).")
    args: dict[str, Any] = Field(default_factory=dict, description="Keyword arguments for that computation.")


class Question(_Strict):
    id: str = Field(pattern=ID_PATTERN, description="Stable and unique across every bank file.")
    topic: Topic | None = Field(
        default=None, description="Optional; when given it must equal the file's topic, which it defaults to."
    )
    section: Section
    difficulty: int = Field(ge=1, le=3)
    tags: list[str] = Field(default_factory=list)
    prompt: str = Field(pattern=VISIBLE_PATTERN, description="Markdown; may contain fenced code blocks.")
    multi: bool = Field(default=False, description=f"Several correct choices; the prompt must say '{MULTI_MARKER}'.")
    choices: list[Choice] = Field(min_length=2, max_length=6)
    explanation: str = Field(pattern=VISIBLE_PATTERN)
    fact: Fact | None = None

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


class BankFile(_Strict):
    """One file of the bank: the questions of one topic."""

    model_config = ConfigDict(title="dli-drill quiz bank file")

    schema_: str | None = Field(default=None, alias="$schema", description="For editors; ignored.")
    topic: Topic
    questions: list[Question]
