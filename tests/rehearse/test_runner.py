"""The rehearsal end to end through its real child process, with the tiny profile: the events in
order, what the store keeps of each stage, and the ways a run can end early."""

from __future__ import annotations

import threading

import pytest

from engine.errors import UsageError
from engine.rehearse import events, record
from engine.rehearse.data import shipped_digits
from engine.rehearse.notebook import scaffold_text, solution_text
from engine.rehearse.profiles import get_profile
from engine.rehearse.runner import Rehearsal, Request
from engine.store import Store

TINY = get_profile("tiny")


def rehearse(path, store, **options):
    seen: list[events.Event] = []
    outcome = Rehearsal(Request(path=path, profile=TINY, **options), store).run(seen.append)
    return outcome, seen


@pytest.fixture
def store(drill_home):
    with Store() as opened:
        yield opened


def write(tmp_path, text: str):
    path = tmp_path / "rehearsal.py"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_solution_goes_through_every_stage_and_each_is_recorded(notebook, store):
    outcome, seen = rehearse(notebook, store)
    kinds = [event.kind for event in seen]
    assert kinds[0] == "checked" and seen[0].passed and seen[0].parameters > 0
    assert "progress" in kinds
    assert kinds[kinds.index("trained") :] == ["trained", *["sampling"] * 10, "sampled", "classified"]
    assert [event.digit for event in seen if isinstance(event, events.Sampling)] == list(range(10))
    sampled = next(event for event in seen if isinstance(event, events.Sampled))
    assert len(sampled.pixels) == 50 * 28 * 28
    classified = seen[-1]
    assert [len(row) for row in classified.predictions] == [5] * 10
    right = sum(row.count(digit) for digit, row in enumerate(classified.predictions))
    assert classified.accuracy == pytest.approx(right / 50)
    assert classified.passed == (classified.accuracy >= 0.95) == (outcome.status == record.PASS)

    (row,) = record.rehearsals(store)
    assert row.id == outcome.rehearsal_id and row.profile == "tiny" and row.file_path == str(notebook)
    assert row.stage == "classified" and row.status == outcome.status and row.finished_at is not None
    assert row.accuracy == pytest.approx(classified.accuracy)
    assert row.images == sampled.pixels and row.predictions == classified.predictions
    assert row.detail["training"]["steps"] == TINY.steps
    assert len(row.detail["feedback"]) >= 23 and all(item["ok"] for item in row.detail["feedback"])


def test_empty_blanks_are_named_and_nothing_runs(tmp_path, store):
    outcome, seen = rehearse(write(tmp_path, scaffold_text()), store)
    assert [event.kind for event in seen] == ["checked"]
    assert outcome.status == record.FAIL and outcome.stage == "checked"
    assert sum("still empty" in item.message for item in outcome.feedback) == 23
    (row,) = record.rehearsals(store)
    assert row.stage == "checked" and row.status == record.FAIL and row.images is None


def test_a_wrong_blank_stops_before_training(tmp_path, store, edit):
    path = write(tmp_path, edit("c_drop_prob = 0.1", "c_drop_prob = 0.9"))
    outcome, seen = rehearse(path, store)
    assert [event.kind for event in seen] == ["checked"] and not seen[0].passed
    assert [item.blank for item in seen[0].feedback if not item.ok] == [20]
    assert outcome.status == record.FAIL


def test_a_nan_loss_stops_training_with_a_message(tmp_path, store, edit):
    # Weights that are NaN from the start pass every blank's check but cannot train.
    path = write(tmp_path, edit("model = model.to(device)\n", "model = model.to(device)\nmodel.out[-1].bias.data.fill_(float('nan'))\n"))
    outcome, seen = rehearse(path, store)
    assert seen[0].passed
    assert seen[-1].kind == "failed" and seen[-1].stage == "training"
    assert "the loss became nan" in outcome.message and "Training stopped at step 0" in outcome.message
    (row,) = record.rehearsals(store)
    assert row.status == record.ERROR and row.stage == "checked" and "loss became nan" in row.detail["message"]


def test_a_wrong_sample_shape_names_the_shape_the_grader_needs(tmp_path, store, edit):
    path = write(tmp_path, edit("        x_t = reverse_q(x_t, t, e_t)\n\n    return x_t\n",
                                "        x_t = reverse_q(x_t, t, e_t)\n\n    return x_t.squeeze(1)\n"))
    outcome, seen = rehearse(path, store)
    assert seen[-1].kind == "failed" and seen[-1].stage == "sampling"
    assert "returned shape (5, 28, 28)" in outcome.message and "needs (5, 1, 28, 28)" in outcome.message
    assert record.rehearsals(store)[0].stage == "trained"


def test_stopping_keeps_the_stages_already_finished(notebook, store):
    request = Request(path=notebook, profile=TINY)
    rehearsal = Rehearsal(request, store)

    def on_event(event: events.Event) -> None:
        if isinstance(event, events.Progress):
            # As the app's Stop button does, from another thread; joined, so that the child's
            # later events are already on their way when the stop lands.
            stopper = threading.Thread(target=rehearsal.stop)
            stopper.start()
            stopper.join()

    outcome = rehearsal.run(on_event)
    assert outcome.status == record.STOPPED and outcome.stage == "checked"
    (row,) = record.rehearsals(store)
    assert row.status == record.STOPPED and row.stage == "checked" and row.detail["feedback"]


def test_training_on_mnist_idx_files(tmp_path, store, write_idx):
    digits = shipped_digits()
    folder = tmp_path / "mnist"
    folder.mkdir()
    write_idx(folder, "train", digits.images[::100], digits.labels[::100], compress=True)
    rehearsal = Rehearsal(Request(path=write(tmp_path, solution_text()), profile=TINY, mnist=folder), store)
    seen: list[events.Event] = []

    def on_event(event: events.Event) -> None:
        seen.append(event)
        if isinstance(event, events.Trained):
            rehearsal.stop()

    outcome = rehearsal.run(on_event)
    assert seen[0].passed and outcome.stage == "trained" and outcome.status == record.STOPPED
    assert outcome.trained is not None and outcome.trained.steps == TINY.steps


def test_a_folder_without_mnist_files_is_a_usage_error(notebook, store, tmp_path):
    with pytest.raises(UsageError, match="no MNIST training files"):
        Rehearsal(Request(path=notebook, profile=TINY, mnist=tmp_path), store)
    assert record.rehearsals(store) == []
