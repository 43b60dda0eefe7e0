"""The HTML report in a real headless browser (Debian's chromium, which .ci/run installs).

Skipped only when chromium is not installed. The browser is kept off the network and out of the
user's profile; the page must load, keep its summary and its SVG charts in the rendered DOM, and
paint a non-blank screenshot.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from engine.reports.render import render

CHROMIUM = shutil.which("chromium")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (.ci/run installs it)")


def chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    command = [
        CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        f"--user-data-dir={tmp_path / 'profile'}", *args,
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=180)


@pytest.fixture
def page(history, tmp_path: Path) -> Path:
    path = tmp_path / "report.html"
    path.write_text(render(history, "html"), encoding="utf-8")
    return path


def test_the_browser_renders_the_report(page, tmp_path):
    result = chromium(tmp_path, "--dump-dom", page.as_uri())
    assert result.returncode == 0, result.stderr[-2000:]
    dom = result.stdout
    assert "<h2>Summary</h2>" in dom and "<h2>Mock exams</h2>" in dom
    assert dom.count("<svg") >= 4 and "<polyline" in dom and "Title of fwd.a" in dom
    assert "43%" in dom


def test_the_browser_paints_the_report(page, tmp_path):
    shot = tmp_path / "report.png"
    result = chromium(tmp_path, "--hide-scrollbars", "--window-size=1100,2400", f"--screenshot={shot}", page.as_uri())
    assert result.returncode == 0, result.stderr[-2000:]
    data = shot.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 50_000  # a blank page compresses to a few KB
