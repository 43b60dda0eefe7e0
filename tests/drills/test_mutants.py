"""The mutants.json format: edits applied to a correct base file, which a mutant may name itself."""

from __future__ import annotations

import json

import pytest

from engine.drills.mutants import apply_edits, has_mutants, mutant_sources


def test_mutant_edits_must_each_match_the_base_once():
    assert apply_edits("a = 1\nb = 2\n", [["a = 1", "a = -1"], ["b = 2", "b = 3"]]) == "a = -1\nb = 3\n"
    with pytest.raises(ValueError, match="exactly once"):
        apply_edits("x\nx\n", [["x", "y"]])
    with pytest.raises(ValueError, match="overlap"):
        apply_edits("abcdef", [["abcd", "1"], ["cdef", "2"]])


def test_a_mutant_is_edits_of_the_folders_base_or_of_a_base_it_names(tmp_path):
    (tmp_path / "alternatives").mkdir()
    (tmp_path / "solution.py").write_text("y = x + 1\n")
    (tmp_path / "alternatives" / "loop.py").write_text("for _ in range(1):\n    y = x + 1\n")
    spec = {
        "base": "solution.py",
        "mutants": {
            "sign": [["x + 1", "x - 1"]],
            "loop": {"base": "alternatives/loop.py", "edits": [["range(1)", "range(2)"]]},
        },
    }
    (tmp_path / "mutants.json").write_text(json.dumps(spec))
    assert has_mutants(tmp_path)
    assert mutant_sources(tmp_path) == {"sign": "y = x - 1\n", "loop": "for _ in range(2):\n    y = x + 1\n"}


def test_an_edit_that_misses_its_named_base_is_refused(tmp_path):
    (tmp_path / "solution.py").write_text("y = x + 1\n")
    (tmp_path / "other.py").write_text("z = 2\n")
    spec = {"base": "solution.py", "mutants": {"sign": {"base": "other.py", "edits": [["x + 1", "x - 1"]]}}}
    (tmp_path / "mutants.json").write_text(json.dumps(spec))
    with pytest.raises(ValueError, match="exactly once"):
        mutant_sources(tmp_path)


def test_a_folder_without_mutants_json_has_none(tmp_path):
    assert not has_mutants(tmp_path)
