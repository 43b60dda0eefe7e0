"""``drill rehearse start`` and ``drill rehearse run`` as a learner types them."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from engine.cli import main
from engine.rehearse import record
from engine.rehearse.notebook import scaffold_text
from engine.store import Store

ROOT = Path(__file__).resolve().parents[2]


def test_start_writes_the_scaffold_and_keeps_it_afterwards(drill_home, capsys):
    assert main(["rehearse", "start"]) == 0
    path = Path(capsys.readouterr().out.strip())
    assert path == drill_home / "workspace" / "rehearsal.py"
    assert path.read_text(encoding="utf-8") == scaffold_text()
    path.write_text("# my work\n", encoding="utf-8")
    assert main(["rehearse", "start"]) == 0
    assert "kept your existing notebook" in capsys.readouterr().err
    assert path.read_text(encoding="utf-8") == "# my work\n"
    assert main(["rehearse", "start", "--fresh"]) == 0
    assert path.read_text(encoding="utf-8") == scaffold_text()


def test_run_without_a_notebook_is_a_usage_error(drill_home, capsys):
    assert main(["rehearse", "run"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("drill: ") and "drill rehearse start" in err and len(err.strip().splitlines()) == 1
    with Store() as store:
        assert record.rehearsals(store) == []


def test_run_on_the_scaffold_names_the_blanks_and_exits_1(drill_home, capsys):
    main(["rehearse", "start"])
    capsys.readouterr()
    assert main(["rehearse", "run", "--profile", "tiny"]) == 1
    out = capsys.readouterr().out
    assert "✗ Blank 18 (the context mask's random draw) is still empty" in out
    assert "Nothing was trained" in out


def test_run_on_a_folder_without_mnist_is_a_usage_error(drill_home, tmp_path, capsys):
    main(["rehearse", "start"])
    assert main(["rehearse", "run", "--mnist", str(tmp_path)]) == 2
    assert "no MNIST training files" in capsys.readouterr().err


def test_a_device_that_is_not_there_is_a_usage_error(drill_home, notebook, capsys):
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    assert main(["rehearse", "run", "--profile", "tiny", "--file", str(notebook), "--device", "cuda"]) == 2
    assert "CUDA is not available" in capsys.readouterr().err
    with Store() as store:
        assert record.rehearsals(store) == []


def test_a_killed_run_keeps_the_stages_it_finished(drill_home, tmp_path, edit):
    # A notebook whose training steps are slow, so that the run is surely killed while it trains.
    pause = "    import time\n    time.sleep(0.5 if isinstance(model, UNet) else 0)\n"
    slow = edit("def training_step(model, batch):\n", "def training_step(model, batch):\n" + pause)
    path = tmp_path / "slow.py"
    path.write_text(slow, encoding="utf-8")
    process = subprocess.Popen(
        [sys.executable, "-m", "engine.cli", "rehearse", "run", "--profile", "tiny", "--file", str(path)],
        cwd=ROOT, env={**os.environ, "DRILL_HOME": str(drill_home)},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )
    database = drill_home / "progress.sqlite3"
    try:
        stage = None
        for _ in range(600):
            if database.exists():
                with sqlite3.connect(database) as connection:
                    rows = connection.execute("SELECT stage FROM rehearsals").fetchall() if _has_table(connection) else []
                stage = rows[0][0] if rows else None
            if stage is not None:
                break
            time.sleep(0.1)
        assert stage == "checked"
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    with Store() as store:
        (row,) = record.rehearsals(store)
    assert row.stage == "checked" and row.status is None and row.finished_at is None
    assert all(item["ok"] for item in row.detail["feedback"])


def _has_table(connection: sqlite3.Connection) -> bool:
    return connection.execute("SELECT 1 FROM sqlite_master WHERE name = 'rehearsals'").fetchone() is not None


def test_malformed_mnist_files_are_a_usage_error(drill_home, notebook, tmp_path, capsys):
    (tmp_path / "train-images-idx3-ubyte").write_bytes(bytes(16))
    (tmp_path / "train-labels-idx1-ubyte").write_bytes(bytes(8))
    assert main(["rehearse", "run", "--profile", "tiny", "--file", str(notebook), "--mnist", str(tmp_path)]) == 2
    assert "not an MNIST IDX file" in capsys.readouterr().err
    with Store() as store:
        assert record.rehearsals(store) == []


def test_the_parent_side_never_imports_torch():
    code = (
        "import sys\n"
        "import engine.rehearse.cli, engine.rehearse.runner, engine.rehearse.grid, engine.rehearse.render\n"
        "import engine.app.screens.rehearsal, engine.reports.rehearsals\n"
        "print('torch' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"
