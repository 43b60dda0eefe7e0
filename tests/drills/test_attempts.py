"""Attempts are recorded by the engine: in the store as "running" from the moment a run starts,
with the result the moment the grader answers, whoever asked and whatever they did meanwhile."""

from __future__ import annotations

import os
from datetime import datetime, timedelta, timezone

import pytest

from engine.drills import attempts
from engine.drills.catalog import get_drill
from engine.drills.results import FAIL, RunResult
from engine.errors import UsageError
from engine.store import INTERRUPTED, RUNNING, Store

# A learner file that kills the grader process running it.
KILLS_ITS_GRADER = """import os


def forward_diffusion(x_0, t, noise_schedule):
    os.kill(os.getppid(), signal.SIGKILL)
"""


@pytest.fixture
def store(drill_home):
    with Store() as opened:
        yield opened


def test_the_attempt_is_in_the_store_while_the_grader_runs(store, tmp_path):
    drill, seen = get_drill("forward_diffusion"), []

    def grader(drill_id, path, **options):
        seen.append([(a.status, a.score, a.max_score) for a in store.drill_attempts(drill_id)])
        return RunResult(drill_id, FAIL, duration_s=0.5)

    graded = attempts.grade_attempt(drill, tmp_path / "f.py", store, run=grader)
    assert seen == [[(RUNNING, 0.0, drill.max_score())]]
    (recorded,) = store.drill_attempts(drill.id)
    assert (recorded.status, recorded.duration_s) == (FAIL, 0.5) and not graded.passed


def test_a_usage_error_leaves_no_attempt(store, tmp_path):
    def refuses(drill_id, path, **options):
        raise UsageError("there is no CUDA device here")

    with pytest.raises(UsageError):
        attempts.grade_attempt(get_drill("forward_diffusion"), tmp_path / "f.py", store, run=refuses)
    assert store.drill_attempts() == []


def test_a_run_cut_off_by_the_learner_is_recorded_as_interrupted(store, tmp_path):
    def interrupted(drill_id, path, **options):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        attempts.grade_attempt(get_drill("forward_diffusion"), tmp_path / "f.py", store, run=interrupted)
    assert [a.status for a in store.drill_attempts()] == [INTERRUPTED]


def test_runs_no_process_can_finish_any_more_become_interrupted(store):
    long_ago = datetime.now(timezone.utc) - attempts.LONGEST_RUN - timedelta(minutes=1)
    old = store.record_drill_attempt("forward_diffusion", RUNNING, 0, 11, [], None, None, created_at=long_ago)
    mine = store.begin_drill_attempt("forward_diffusion", 11, None, extra={"owner": os.getpid()})
    other = store.begin_drill_attempt("forward_diffusion", 11, None, extra={"owner": os.getpid() + 1})
    attempts.clear_stale(store)
    assert {a.id: a.status for a in store.drill_attempts()} == {old: INTERRUPTED, mine: RUNNING, other: RUNNING}
    attempts.interrupt_own(store)
    assert {a.id: a.status for a in store.drill_attempts()} == {old: INTERRUPTED, mine: INTERRUPTED, other: RUNNING}


def test_a_grader_killed_mid_run_leaves_an_error_attempt(store, tmp_path):
    path = tmp_path / "forward_diffusion.py"
    path.write_text(KILLS_ITS_GRADER)
    graded = attempts.grade_attempt(get_drill("forward_diffusion"), path, store)
    assert graded.result.status == "error" and graded.result.max_score == get_drill("forward_diffusion").max_score()
    assert [a.status for a in store.drill_attempts()] == ["error"]
