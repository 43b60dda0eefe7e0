"""``drill report``: where it writes, its usage errors, the committed samples, and its import boundary."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from engine.reports.sample import main as sample_main

ROOT = Path(__file__).resolve().parents[2]


def drill(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "engine.cli", *args], capture_output=True, text=True, timeout=120,
                          env=os.environ, cwd=cwd)


def test_markdown_goes_to_stdout_by_default():
    result = drill("report", "--format", "md")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("# Progress report") and "Welcome!" in result.stdout


def test_html_goes_to_the_data_directory_by_default(drill_home):
    result = drill("report")
    assert result.returncode == 0, result.stderr
    assert Path(result.stdout.strip()) == drill_home / "report.html"
    assert (drill_home / "report.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_out_writes_where_asked(tmp_path):
    target = tmp_path / "deep" / "progress.md"
    result = drill("report", "--format", "md", "--out", str(target))
    assert result.returncode == 0 and target.read_text(encoding="utf-8").startswith("# Progress report")


def test_usage_errors_are_one_line(tmp_path):
    opened = drill("report", "--open", "--out", "-")
    assert opened.returncode == 2 and opened.stderr == "drill: --open needs a file: add --out PATH\n"
    blocker = tmp_path / "file"
    blocker.write_text("")
    unwritable = drill("report", "--out", str(blocker / "report.html"))
    assert unwritable.returncode == 2 and unwritable.stderr.startswith("drill: cannot write")
    assert "Traceback" not in unwritable.stderr


def test_drill_report_imports_neither_torch_nor_textual(drill_home):
    code = (
        "import sys\n"
        "from engine.cli import main\n"
        "assert main(['report', '--format', 'md', '--out', sys.argv[1]]) == 0\n"
        "print('MODULES=' + ','.join(sorted({m.split('.')[0] for m in sys.modules})))\n"
    )
    result = subprocess.run([sys.executable, "-c", code, str(drill_home / "r.md")], capture_output=True, text=True,
                            timeout=120, cwd=ROOT, env=os.environ)
    assert result.returncode == 0, result.stderr
    modules = set(result.stdout.split("MODULES=")[1].strip().split(","))
    assert {"engine", "jinja2"} <= modules and not modules & {"torch", "textual"}


def test_the_sample_is_the_same_for_the_same_seed(tmp_path, capsys):
    assert sample_main([str(tmp_path / "a")]) == 0
    assert sample_main([str(tmp_path / "b")]) == 0
    for name in ("sample-report.html", "sample-report.md"):
        first = (tmp_path / "a" / name).read_text(encoding="utf-8")
        assert first == (tmp_path / "b" / name).read_text(encoding="utf-8")
        assert "Mock exams" in first and "Bugs you make most often" in first and "Welcome" not in first
    assert sample_main([]) == 2


def test_the_committed_samples_exist():
    for name in ("sample-report.html", "sample-report.md"):
        text = (ROOT / "docs" / name).read_text(encoding="utf-8")
        assert "Progress report" in text and "What to study next" in text and "Mock exams" in text
