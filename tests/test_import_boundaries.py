"""Import boundaries: the reference stays free of the engine, and the CLI starts without torch.

Each check runs in a fresh interpreter, because this test process has long since imported everything.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def loaded_modules(code: str) -> set[str]:
    """Run ``code`` in a fresh interpreter and return the top-level names of every module it loaded."""
    script = textwrap.dedent(code) + textwrap.dedent(
        """
        import json as _json, sys as _sys
        print("MODULES=" + _json.dumps(sorted({name.split(".")[0] for name in _sys.modules})))
        """
    )
    proc = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    line = next(line for line in proc.stdout.splitlines() if line.startswith("MODULES="))
    return set(json.loads(line.removeprefix("MODULES=")))


def imported_by_importtime(args: list[str]) -> set[str]:
    """Top-level names of the modules that ``python -X importtime ARGS`` imported."""
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", *args], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    names = set()
    for line in proc.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            name = line.rsplit("|", 1)[1].strip()
            if name != "imported package":
                names.add(name.split(".")[0])
    assert names, "no -X importtime output was captured"
    return names


def test_reference_does_not_import_the_engine_or_the_ui():
    modules = loaded_modules("import reference")
    assert "reference" in modules and "torch" in modules
    assert not modules & {"engine", "drills", "quiz_bank", "textual"}


def test_engine_cli_does_not_import_torch():
    modules = loaded_modules("import engine.cli")
    assert "engine" in modules
    assert "torch" not in modules


def test_drill_help_does_not_import_torch():
    modules = loaded_modules(
        """
        import runpy, sys
        sys.argv = ["drill", "--help"]
        try:
            runpy.run_module("engine.cli", run_name="__main__")
        except SystemExit as exc:
            assert exc.code in (0, None), exc.code
        """
    )
    assert "torch" not in modules
    assert "textual" not in modules


def test_python_m_engine_cli_help_under_importtime():
    names = imported_by_importtime(["-m", "engine.cli", "--help"])
    assert "engine" in names
    assert "torch" not in names


def test_lint_imports_contracts_hold():
    exe = Path(sys.executable).with_name("lint-imports")
    command = [str(exe)] if exe.exists() else [shutil.which("lint-imports") or ""]
    if not command[0]:
        pytest.skip("lint-imports (import-linter) is not installed")
    proc = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "broken" in proc.stdout and "0 broken" in proc.stdout
