"""Self-validation of every drill's content, graded in-process with the same functions the
grader process uses: the starter fails, the model solution and every alternative correct
style score full marks, and every catalogued bug fails and is diagnosed as itself. Each bug is
a mutant (mutants.json): a correct file with that one mistake, loaded from a file as a learner's is."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from engine.drills import sandbox
from engine.drills.capture import Attempt
from engine.drills.catalog import all_drills
from engine.drills.grader import grade_record
from engine.drills.mutants import has_mutants, mutant_sources
from engine.drills.plugin import load_checks
from engine.drills.results import PASS
from engine.drills.sources import content_source, solution_source, starter_source
from engine.drills.workspace import debug_variants

DRILLS = all_drills()
DEVICES = [
    pytest.param("cpu", id="cpu"),
    pytest.param("cuda", id="cuda", marks=pytest.mark.gpu),
]


def grade_module(drill, module, device="cpu", learner_file="submission.py"):
    checks = load_checks(drill)
    torch.manual_seed(0)
    record = {"ok": True, "calls": checks.probe(module, torch.device(device), Attempt(learner_file))}
    return grade_record(drill.id, checks, record, torch.device(device))


def grade_path(drill, path: Path, device="cpu"):
    return grade_module(drill, sandbox.load_learner_module(str(path)), device, str(path))


def grade_text(drill, text: str, folder: Path, device="cpu"):
    """Grade ``text`` from a file, exactly as a learner's file is loaded."""
    path = folder / f"{drill.id}.py"
    path.write_text(text, encoding="utf-8")
    return grade_path(drill, path, device)


def bug_mutants(drill) -> dict[str, str]:
    """The source of a learner's file with each catalogued bug, by catalog key."""
    return mutant_sources(drill.folder) if has_mutants(drill.folder) else {}


def cases(kind):
    for drill in DRILLS:
        if kind == "bugs":
            for key in sorted(bug_mutants(drill)):
                yield pytest.param(drill, key, id=f"{drill.id}:{key}")
        elif kind == "alternatives":
            for path in sorted((drill.folder / "alternatives").glob("*.py")):
                yield pytest.param(drill, path, id=f"{drill.id}:{path.stem}")


@pytest.mark.parametrize("drill", DRILLS, ids=lambda d: d.id)
@pytest.mark.parametrize("device", DEVICES)
def test_model_solution_scores_full_marks(drill, device, tmp_path):
    result = grade_text(drill, solution_source(drill), tmp_path, device)
    failing = [(c.id, c.message) for c in result.checks if not c.passed]
    assert result.status == PASS, failing
    assert result.score == result.max_score > 0
    assert not result.diagnoses


# Debug drills have no single starter: each of their mutants is a starter, tested below; a
# factory's starter is drawn from a seed and tested with its drill.
STARTED = [drill for drill in DRILLS if not drill.debug and not drill.starter_factory]


@pytest.mark.parametrize("drill", STARTED, ids=lambda d: d.id)
def test_starter_fails(drill, tmp_path):
    result = grade_text(drill, starter_source(drill), tmp_path)
    assert result.status != PASS
    assert result.score < result.max_score


@pytest.mark.parametrize("drill", STARTED, ids=lambda d: d.id)
def test_max_score_is_the_declared_one_whatever_the_code(drill, tmp_path):
    starter = grade_text(drill, starter_source(drill), tmp_path)
    solution = grade_text(drill, solution_source(drill), tmp_path)
    assert starter.max_score == solution.max_score == drill.max_score("cpu")


@pytest.mark.parametrize("drill", DRILLS, ids=lambda d: d.id)
def test_every_catalogued_bug_has_an_implementation_to_validate_it(drill):
    assert {bug.key for bug in drill.bugs} == set(bug_mutants(drill))


# A debug drill's starters are its mutants, so this also checks every starter it can hand out.
@pytest.mark.parametrize("drill, key", list(cases("bugs")))
def test_each_bug_fails_and_is_diagnosed_as_itself(drill, key, tmp_path):
    path = tmp_path / f"{drill.id}.py"
    path.write_text(bug_mutants(drill)[key], encoding="utf-8")
    result = grade_path(drill, path)
    verdict = {
        "status": result.status,
        "diagnoses": [d.key for d in result.diagnoses],
        "failing": [(c.id, c.message) for c in result.checks if not c.passed],
    }
    assert result.status != PASS, verdict
    assert verdict["diagnoses"][:1] == [key], verdict


@pytest.mark.parametrize("drill", DRILLS, ids=lambda d: d.id)
def test_debug_drills_hand_out_their_catalogued_bugs(drill):
    expected = sorted(bug.key for bug in drill.bugs) if drill.debug else []
    assert debug_variants(drill) == expected


@pytest.mark.parametrize("drill, path", list(cases("alternatives")))
def test_every_correct_style_scores_full_marks(drill, path, tmp_path):
    result = grade_text(drill, content_source(path, drill.folder.parent), tmp_path)
    assert result.status == PASS, [(c.id, c.message) for c in result.checks if not c.passed]
