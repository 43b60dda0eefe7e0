"""The drill contract: drill.json's schema, declared checks and points, derived learner files."""

from __future__ import annotations

import io
import json
import textwrap

import pytest

from engine.drills.catalog import Drill, DrillContentError, all_drills, get_drill, read_spec
from engine.drills.grading import NOT_REACHED, GraderBug, Grading, failed, passed
from engine.drills.plugin import DrillChecks, load_checks
from engine.drills.results import PASS, SKIPPED
from engine.drills.schema import schema_path, schema_text
from engine.drills.sources import blank_bodies, expand_includes, solution_source, starter_source
from engine.drills.workspace import start
from engine.store import open_store

MINIMAL = {
    "title": "A drill",
    "topic": "ddpm",
    "lesson": "DDPM",
    "section": "ddpm.forward",
    "entry": "f",
    "summary": "Write f, the test drill.",
    "hints": ["one hint"],
    "checks": {"shape.a": 1, "formula.a": 2},
}


def test_shipped_schema_is_up_to_date():
    assert schema_path().read_text(encoding="utf-8") == schema_text(), "drills/schema.json is stale: run python -m engine.drills.schema"


def test_every_drill_declares_checks_worth_points():
    for drill in all_drills():
        assert drill.max_score("cpu") > 0, drill.id
        assert {check.category for check in drill.checks} <= {"shape", "formula", "behaviour"}


@pytest.mark.parametrize(
    ("change", "complaint"),
    [
        ({"checks": {"bug.catalog": 1}}, "must start with one of shape, formula, behaviour"),
        ({"checks": {"shape.a": 0}}, "worth more than 0 points"),
        ({"checks": {}}, "declare the checks"),
        ({"hints": []}, "hints"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_a_malformed_drill_json_names_its_file_and_problem(tmp_path, change, complaint):
    (tmp_path / "drill.json").write_text(json.dumps({**MINIMAL, **change}), encoding="utf-8")
    with pytest.raises(DrillContentError) as raised:
        read_spec(tmp_path)
    assert str(tmp_path / "drill.json") in str(raised.value)
    assert complaint in str(raised.value)


def _grading(checks: dict[str, object]):
    spec = read_spec_from({**MINIMAL, "checks": checks})
    return Grading(spec, "cpu")


def read_spec_from(data: dict[str, object]):
    """A Drill built from a drill.json dict, as the catalog builds one."""
    from engine.drills.catalog import declared_checks, drill_from_spec
    from engine.drills.contract import DrillSpec

    spec = DrillSpec.model_validate(data)
    return drill_from_spec("test", spec, declared_checks(spec))


def test_points_come_from_the_declaration_and_unreached_checks_are_skipped():
    grading = _grading({"shape.a": 1, "formula.a": 2, "behaviour.b": 3})
    grading.check("shape.a", passed("fine"))
    grading.check("formula.a", failed("wrong"))
    checks = {check.id: check for check in grading.checks()}
    assert (checks["shape.a"].points, checks["shape.a"].max_points) == (1.0, 1.0)
    assert (checks["formula.a"].points, checks["formula.a"].max_points) == (0.0, 2.0)
    assert checks["behaviour.b"].status == SKIPPED and checks["behaviour.b"].message == NOT_REACHED
    assert checks["behaviour.b"].max_points == 3.0
    assert [check.id for check in grading.checks()] == ["shape.a", "formula.a", "behaviour.b"]


def test_an_undeclared_or_repeated_check_is_a_grader_bug():
    grading = _grading({"shape.a": 1})
    with pytest.raises(GraderBug, match="does not declare"):
        grading.check("shape.b", passed("?"))
    grading.check("shape.a", passed("once"))
    with pytest.raises(GraderBug, match="twice"):
        grading.check("shape.a", passed("twice"))


def test_a_group_shares_its_points_among_the_checks_reported_under_it():
    grading = _grading({"shape.sheet": 1, "shape.line.*": 9})
    grading.check("shape.sheet", passed("ok"))
    for index in range(3):
        grading.check(f"shape.line.{index}", passed("ok") if index else failed("no"))
    lines = [check for check in grading.checks() if check.id.startswith("shape.line.")]
    assert [check.max_points for check in lines] == [3.0, 3.0, 3.0]
    assert sum(check.points for check in lines) == 6.0


def test_device_specific_checks_count_only_on_their_device():
    spec = {**MINIMAL, "checks": {"shape.a": 1, "behaviour.big": {"points": 2, "devices": ["cuda"]}}}
    drill = read_spec_from(spec)
    assert drill.max_score("cpu") == 1.0 and drill.max_score("cuda") == 3.0
    with pytest.raises(GraderBug):
        Grading(drill, "cpu").check("behaviour.big", passed("not on a CPU"))


def test_debug_drills_are_graded_by_their_underlying_drills_checks():
    debug, underlying = get_drill("debug_up_block"), get_drill("up_block")
    assert debug.checks == underlying.checks
    assert type(load_checks(debug)) is type(load_checks(underlying))
    assert {bug.key for bug in underlying.bugs} <= {bug.key for bug in debug.bugs}


def test_every_drill_s_checks_satisfy_the_plugin_contract():
    for drill in all_drills():
        assert isinstance(load_checks(drill), DrillChecks), drill.id


def test_an_include_line_becomes_the_shared_definition(tmp_path):
    (tmp_path / "common").mkdir()
    (tmp_path / "common" / "blocks.py").write_text("import os\n\n\ndef helper():\n    return 1\n\n\nclass Thing:\n    x = 2\n")
    text = "import math\n\n\n# dli-drill: include common/blocks Thing helper\n\n\ndef main():\n    return Thing.x\n"
    expanded = expand_includes(text, tmp_path)
    assert "class Thing:\n    x = 2\n\n\ndef helper():\n    return 1\n" in expanded
    assert "dli-drill: include" not in expanded and "import os" not in expanded
    with pytest.raises(DrillContentError, match="defines no Missing"):
        expand_includes("# dli-drill: include common/blocks Missing\n", tmp_path)
    with pytest.raises(DrillContentError, match="there is no"):
        expand_includes("# dli-drill: include common/nothing Thing\n", tmp_path)


def test_a_derived_starter_keeps_docstrings_and_blanks_bodies():
    solution = textwrap.dedent('''
        class Block:
            def __init__(self, n):
                """Build the block."""
                self.n = n

            def helper(self):
                return self.n

            def forward(self, x):
                return x * self.n
    ''')
    starter = blank_bodies(solution, {"Block.__init__": "build it", "Block.forward": "write forward", "Block.helper": None})
    assert '"""Build the block."""\n        raise NotImplementedError("build it")' in starter
    assert 'def forward(self, x):\n        raise NotImplementedError("write forward")' in starter
    assert "helper" not in starter and "self.n = n" not in starter
    compile(starter, "starter", "exec")


def test_shipped_starters_and_solutions_are_whole_python_files():
    for drill in all_drills():
        compile(solution_source(drill), f"{drill.id}/solution", "exec")
        if not drill.debug and not drill.starter_factory:
            assert "dli-drill: include" not in starter_source(drill)
            compile(starter_source(drill), f"{drill.id}/starter", "exec")


def test_drill_start_writes_the_starter_the_content_tests_validate(tmp_path):
    fixed = [drill for drill in all_drills() if not drill.debug and not drill.starter_factory]
    with open_store(io.StringIO()) as store:
        for drill in fixed:
            path, created = start(drill, tmp_path, store)
            assert created and path.read_text(encoding="utf-8") == starter_source(drill), drill.id
    derived = next(drill for drill in fixed if drill.starter is not None)
    assert "raise NotImplementedError" in (tmp_path / f"{derived.id}.py").read_text(encoding="utf-8")


def test_a_passing_run_passes_every_declared_check(tmp_path):
    grading = _grading({"shape.a": 1})
    grading.check("shape.a", passed("fine"))
    assert [check.status for check in grading.checks()] == [PASS]


def _catalog_in_a_fresh_process() -> dict[str, object]:
    import subprocess
    import sys

    code = ("import json, sys; from engine.drills.catalog import all_drills; drills = all_drills(); "
            "print(json.dumps({'pydantic': 'pydantic' in sys.modules, 'drills': [d.to_record() for d in drills]}))")
    return json.loads(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)


def test_a_validated_catalog_is_read_back_without_pydantic_and_unchanged():
    first, second = _catalog_in_a_fresh_process(), _catalog_in_a_fresh_process()
    assert first["pydantic"] and not second["pydantic"]
    assert first["drills"] == second["drills"]
    assert [Drill.from_record(record) for record in second["drills"]] == list(all_drills())


def test_a_damaged_cache_is_validated_afresh(drill_home):
    _catalog_in_a_fresh_process()
    (cached,) = (drill_home / "cache").glob("drills-*.json")
    cached.write_text("[{", encoding="utf-8")
    again = _catalog_in_a_fresh_process()
    assert again["pydantic"] and [Drill.from_record(record) for record in again["drills"]] == list(all_drills())


def test_the_cache_key_follows_every_drill_json(tmp_path):
    from engine.drills.catalog import _digest

    spec = tmp_path / "drill.json"
    spec.write_text("{}", encoding="utf-8")
    before = _digest([spec])
    spec.write_text('{"title": "edited"}', encoding="utf-8")
    assert _digest([spec]) != before
