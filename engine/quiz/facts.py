"""Facts are computed, not typed: a question whose answer is a number or a shape names the
reference computation that produces it, and :func:`verify_facts` recomputes every one.

The registries live in ``facts_ddpm`` and ``facts_unet``; they import torch and the reference, so
this module is imported only to verify facts, never to load the bank or run a quiz.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from functools import cache

from engine.quiz.bank import Bank, Problem
from engine.quiz.models import Question

FactFunction = Callable[..., str]


@cache
def registry() -> dict[str, FactFunction]:
    from engine.quiz.facts_ddpm import FACTS as ddpm_facts
    from engine.quiz.facts_unet import FACTS as unet_facts

    clashes = sorted(ddpm_facts.keys() & unet_facts.keys())
    if clashes:
        raise ValueError(f"fact names defined twice: {', '.join(clashes)}")
    return {**ddpm_facts, **unet_facts}


def mentions(text: str, value: str) -> bool:
    """Whether ``value`` occurs in ``text`` as a whole number: "0.5" is not in "0.52" or "10.5"."""
    for match in re.finditer(re.escape(value), text):
        before, after = text[: match.start()], text[match.end() :]
        if re.search(r"\d\.?$", before) and value[:1].isdigit():
            continue
        if re.match(r"\.?\d", after) and value[-1:].isdigit():
            continue
        return True
    return False


def verify_facts(bank: Bank, facts: Mapping[str, FactFunction] | None = None) -> list[Problem]:
    """Recompute each question's fact: it must appear in every correct choice and in no wrong one."""
    facts = registry() if facts is None else facts
    return [
        Problem(f"{question.topic}.json", question.id, field, message)
        for question in bank
        if question.fact is not None
        for field, message in _check(question, facts)
    ]


def _check(question: Question, facts: Mapping[str, FactFunction]) -> list[tuple[str, str]]:
    fact = question.fact
    function = facts.get(fact.name)
    if function is None:
        return [("fact.name", f"unknown fact '{fact.name}'")]
    try:
        value = function(**fact.args)
    except Exception as error:  # noqa: BLE001 - a failing fact is a problem to report, whatever the failure
        return [("fact.args", f"{fact.name}(**{fact.args}) failed: {type(error).__name__}: {error}")]
    if not isinstance(value, str) or not value:
        return [("fact", f"{fact.name} returned {value!r}, not a non-empty string")]
    problems = []
    for index, choice in enumerate(question.choices):
        if choice.correct and not mentions(choice.text, value):
            problems.append((f"choices[{index}].text", f"is correct but lacks the computed value {value!r}"))
        if not choice.correct and mentions(choice.text, value):
            problems.append((f"choices[{index}].text", f"is wrong but contains the computed value {value!r}"))
    return problems
