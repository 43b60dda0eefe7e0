"""The grader on the independent learner corpus (tests/corpus/<drill>/, written without reading the
checks or the catalogs): every correct file passes with full marks and no diagnosis; every buggy
file fails; a diagnosis never names a mistake the file does not have; and at least 95 % of the
buggy files get one that names theirs.

Which diagnosis keys name a file's mistake is in diagnoses.json, read from each manifest's
"mistake" sentence: a file may be named rightly by more than one key (a catalog entry, or an open
diagnoser's wording of the same slip).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import pytest
import torch

from engine.drills import sandbox
from engine.drills.capture import Attempt
from engine.drills.catalog import get_drill
from engine.drills.grader import grade_record
from engine.drills.plugin import load_checks
from engine.drills.results import PASS, RunResult

CORPUS = Path(__file__).parent
NAMES = json.loads((CORPUS / "diagnoses.json").read_text(encoding="utf-8"))
SHARE_NAMED = 0.95


def files(expect: str) -> list[tuple[str, str, str]]:
    found = []
    for manifest in sorted(CORPUS.glob("*/manifest.json")):
        data = json.loads(manifest.read_text(encoding="utf-8"))
        for name, entry in data["files"].items():
            if entry["expect"] == expect:
                found.append((data["drill"], name, entry.get("mistake", entry.get("style", ""))))
    return found


@cache
def graded(drill_id: str, name: str) -> RunResult:
    drill = get_drill(drill_id)
    path = CORPUS / drill_id / name
    checks = load_checks(drill)
    torch.manual_seed(0)
    record = {"ok": True, "calls": checks.probe(sandbox.load_learner_module(str(path)), torch.device("cpu"), Attempt(str(path)))}
    return grade_record(drill.id, checks, record, torch.device("cpu"))


@pytest.mark.parametrize(("drill_id", "name", "style"), files("pass"), ids=lambda value: str(value)[:40])
def test_a_correct_file_passes_with_full_marks_and_no_diagnosis(drill_id, name, style):
    result = graded(drill_id, name)
    assert result.status == PASS, [(c.id, c.message) for c in result.checks if not c.passed]
    assert result.score == result.max_score and not result.diagnoses


@pytest.mark.parametrize(("drill_id", "name", "mistake"), files("fail"), ids=lambda value: str(value)[:40])
def test_a_buggy_file_fails_and_is_never_given_a_mistake_it_does_not_have(drill_id, name, mistake):
    result = graded(drill_id, name)
    assert result.status != PASS, mistake
    named = {d.key for d in result.diagnoses}
    assert named <= set(NAMES[f"{drill_id}/{name}"]), (mistake, [(d.key, d.title) for d in result.diagnoses])


def test_at_least_95_percent_of_the_buggy_files_are_named():
    buggy = files("fail")
    named = [f"{drill}/{name}" for drill, name, _ in buggy if {d.key for d in graded(drill, name).diagnoses} & set(NAMES[f"{drill}/{name}"])]
    assert len(named) >= SHARE_NAMED * len(buggy), sorted({f"{d}/{n}" for d, n, _ in buggy} - set(named))


def test_every_buggy_file_says_which_diagnoses_name_its_mistake():
    assert {f"{drill}/{name}" for drill, name, _ in files("fail")} == set(NAMES)
