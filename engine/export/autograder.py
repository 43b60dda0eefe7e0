"""A Gradescope autograder for one drill, and the grading step it runs.

Gradescope's autograder specification: the uploaded zip holds ``setup.sh`` and ``run_autograder``
at its root; the zip is extracted into ``/autograder/source``, ``setup.sh`` runs once (as root)
while the image is built, ``run_autograder`` is copied to ``/autograder/run_autograder`` and runs
once per submission, with the student's files in ``/autograder/submission`` and the working
directory ``/autograder``; it must write ``/autograder/results/results.json``. Each submission
gets its own container, so the grading step runs cold (one run, no warm grader to keep).

What :func:`write` puts into the output folder:

- ``setup.sh``: installs python3 and venv, a virtual environment in ``/autograder/venv``, CPU
  torch from PyTorch's CPU index, then dli-drill from the bundled source;
- ``run_autograder``: ``python -m engine.export.autograder DRILL --root /autograder``;
- ``dli-drill/``: the project's packages without the model solutions (grading never reads them,
  so a submission cannot find one either) and a ``pyproject.toml`` made from the installed metadata;
- ``autograder.zip``: all of the above, files at the root, ready to upload.

``$AUTOGRADER_ROOT`` and ``$DRILL_PYTHON`` point ``run_autograder`` at another root and
interpreter, so it can be tried outside Gradescope.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import importlib.util
import json
import shutil
import stat
import sys
import zipfile
from pathlib import Path

from engine import __version__
from engine.drills.catalog import Drill

PACKAGES = ("reference", "engine", "drills", "quiz_bank")
BUNDLE = "dli-drill"
TORCH_CPU_INDEX = "https://download.pytorch.org/whl/cpu"
_LEFT_OUT = shutil.ignore_patterns("__pycache__", "*.pyc", "solution.py", "alternatives")

SETUP = """#!/usr/bin/env bash
# Gradescope runs this once, as root, while it builds the autograder image.
set -euo pipefail
SOURCE="$(cd "$(dirname "${{BASH_SOURCE[0]}}")" && pwd)"
apt-get install -y python3 python3-pip python3-venv
python3 -m venv /autograder/venv
/autograder/venv/bin/pip install --upgrade pip
# The CPU build of torch first: the default index would pull the multi-GB CUDA build.
/autograder/venv/bin/pip install --index-url {index} torch
/autograder/venv/bin/pip install "$SOURCE/{bundle}"
"""

RUN = """#!/usr/bin/env bash
# Gradescope runs this for every submission: it grades /autograder/submission for {drill}
# and writes /autograder/results/results.json.
set -uo pipefail
ROOT="${{AUTOGRADER_ROOT:-/autograder}}"
PYTHON="${{DRILL_PYTHON:-/autograder/venv/bin/python}}"
cd "$ROOT"
exec "$PYTHON" -m engine.export.autograder {drill} --root "$ROOT"
"""

PYPROJECT = """[build-system]
requires = ["setuptools>=68"]
build-backend = "setuptools.build_meta"

[project]
name = "dli-drill"
version = "{version}"
requires-python = "{python}"
dependencies = {dependencies}

[project.scripts]
drill = "engine.cli:main"

[tool.setuptools.packages.find]
include = ["reference*", "engine*", "drills*", "quiz_bank*"]

[tool.setuptools.package-data]
"*" = ["*.json", "*.toml", "*.tcss", "*.md", "*.j2", "*.txt"]
"""


def _pyproject() -> str:
    """The bundle's build file, from the installed distribution's metadata (no extras)."""
    python = importlib.metadata.metadata("dli-drill")["Requires-Python"] or ">=3.10"
    requires = [req for req in (importlib.metadata.requires("dli-drill") or []) if "extra ==" not in req]
    return PYPROJECT.format(
        version=__version__, python=python, dependencies=json.dumps(requires)
    )


def _copy_packages(target: Path) -> None:
    for name in PACKAGES:
        spec = importlib.util.find_spec(name)
        for folder in (spec.submodule_search_locations or []) if spec else []:
            shutil.copytree(folder, target / name, ignore=_LEFT_OUT, dirs_exist_ok=True)


def _executable(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)


def write(drill: Drill, out: Path) -> Path:
    """Write the autograder for ``drill`` into ``out`` and return the zip to upload."""
    out.mkdir(parents=True, exist_ok=True)
    bundle = out / BUNDLE
    shutil.rmtree(bundle, ignore_errors=True)
    bundle.mkdir()
    _copy_packages(bundle)
    (bundle / "pyproject.toml").write_text(_pyproject(), encoding="utf-8")
    _executable(out / "setup.sh", SETUP.format(index=TORCH_CPU_INDEX, bundle=BUNDLE))
    _executable(out / "run_autograder", RUN.format(drill=drill.id))
    archive = out / "autograder.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
        for path in sorted([out / "setup.sh", out / "run_autograder", *bundle.rglob("*")]):
            if path.is_file():
                info = zipfile.ZipInfo.from_file(path, path.relative_to(out).as_posix())
                with open(path, "rb") as handle:
                    zipped.writestr(info, handle.read(), zipfile.ZIP_DEFLATED)
    return archive


def submission_file(drill: Drill, folder: Path) -> Path | None:
    """The student's file: ``<drill>.py`` anywhere in the submission, else its only .py file."""
    named = sorted(folder.rglob(f"{drill.id}.py"))
    if named:
        return named[0]
    files = sorted(folder.rglob("*.py"))
    return files[0] if len(files) == 1 else None


def grade_submission(drill: Drill, root: Path) -> dict[str, object]:
    """Grade ``root/submission`` and return Gradescope's results document."""
    from engine.drills import runner
    from engine.drills.results import error_result
    from engine.errors import UsageError
    from engine.export.gradescope import to_gradescope

    path = submission_file(drill, root / "submission")
    if path is None:
        result = error_result(drill.id, f"Submit one Python file, named {drill.id}.py.")
    else:
        try:
            result = runner.run_drill(drill.id, path.resolve(), device="cpu", grader=runner.COLD)
        except UsageError as problem:
            result = error_result(drill.id, str(problem))
    return to_gradescope(result)


def main(argv: list[str] | None = None) -> int:
    from engine.drills.catalog import get_drill

    parser = argparse.ArgumentParser(prog="engine.export.autograder", description="Gradescope's grading step for a drill.")
    parser.add_argument("drill")
    parser.add_argument("--root", type=Path, default=Path("/autograder"))
    args = parser.parse_args(argv)
    results = grade_submission(get_drill(args.drill), args.root)
    target = args.root / "results" / "results.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"{args.drill}: {results['score']} points -> {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
