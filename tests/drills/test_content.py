"""Self-validation of every drill's content, graded in-process with the same functions the
grader process uses: the starter fails, the model solution and every alternative correct
style score full marks, and every catalogued bug fails and is diagnosed as itself."""

from __future__ import annotations

import importlib
import types
from pathlib import Path

import pytest
import torch

from engine.drills import sandbox
from engine.drills.capture import Attempt
from engine.drills.catalog import all_drills
from engine.drills.grader import grade_record
from engine.drills.mutants import apply_edits, mutant_sources
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


def bug_impls(drill) -> dict:
    if not (drill.folder / "bugs.py").exists():
        return {}
    return importlib.import_module(f"drills.{drill.id}.bugs").BUGS


def cases(kind):
    for drill in DRILLS:
        if kind == "bugs":
            for key in bug_impls(drill):
                yield pytest.param(drill, key, id=f"{drill.id}:{key}")
        elif kind == "alternatives":
            for path in sorted((drill.folder / "alternatives").glob("*.py")):
                yield pytest.param(drill, path, id=f"{drill.id}:{path.stem}")
        elif kind == "mutants":
            for key in debug_variants(drill):
                yield pytest.param(drill, key, id=f"{drill.id}:{key}")


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
    catalog = {bug.key for bug in drill.bugs}
    implemented = set(bug_impls(drill)) | set(debug_variants(drill))
    assert catalog == implemented


@pytest.mark.parametrize("drill, key", list(cases("bugs")))
def test_each_bug_fails_and_is_diagnosed_as_itself(drill, key):
    impl = bug_impls(drill)[key]
    # A drill with several entry points (schedule_threshold) catalogues whole modules.
    module = impl if isinstance(impl, types.ModuleType) else types.SimpleNamespace(**{drill.entry: impl})
    result = grade_module(drill, module)
    assert result.status != PASS
    assert [d.key for d in result.diagnoses][:1] == [key]


@pytest.mark.parametrize("drill, key", list(cases("mutants")))
def test_each_debug_starter_fails_and_is_diagnosed_as_its_bug(drill, key, tmp_path):
    path = tmp_path / f"{drill.id}.py"
    path.write_text(mutant_sources(drill.folder)[key])
    result = grade_path(drill, path)
    assert result.status != PASS
    assert [d.key for d in result.diagnoses][:1] == [key]


@pytest.mark.parametrize("drill, path", list(cases("alternatives")))
def test_every_correct_style_scores_full_marks(drill, path, tmp_path):
    result = grade_text(drill, content_source(path, drill.folder.parent), tmp_path)
    assert result.status == PASS, [(c.id, c.message) for c in result.checks if not c.passed]


def test_mutant_edits_must_each_match_the_base_once():
    assert apply_edits("a = 1\nb = 2\n", [["a = 1", "a = -1"], ["b = 2", "b = 3"]]) == "a = -1\nb = 3\n"
    with pytest.raises(ValueError, match="exactly once"):
        apply_edits("x\nx\n", [["x", "y"]])
    with pytest.raises(ValueError, match="overlap"):
        apply_edits("abcdef", [["abcd", "1"], ["cdef", "2"]])
