"""Start-up stays light: the app, and ``drill`` with no command, never import torch, nor the
review scheduler before the bank loads in the background. (pydantic is there from the start: the
drill catalog is validated against its contract as it loads, in well under 0.1 s.) Each check runs
in a fresh interpreter."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def loaded_after(code: str) -> set[str]:
    script = textwrap.dedent(code) + "\nimport json, sys\nprint(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))\n"
    proc = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return set(json.loads(proc.stdout.strip().splitlines()[-1]))


def test_constructing_the_app_imports_neither_torch_nor_the_scheduler():
    modules = loaded_after("from engine.app.app import DrillApp\nDrillApp()")
    assert "textual" in modules
    assert not modules & {"torch", "fsrs"}


def test_the_running_app_stays_torch_free_once_the_bank_has_loaded():
    modules = loaded_after(
        """
        import asyncio
        from engine.app.app import DrillApp

        async def main():
            app = DrillApp()
            async with app.run_test() as pilot:
                await app.workers.wait_for_complete()
                await pilot.pause()
                assert app.bank is not None
                await pilot.press("q")
                assert app.screen.session is not None

        asyncio.run(main())
        """
    )
    assert "pydantic" in modules
    assert "torch" not in modules


def test_drill_without_a_command_opens_the_app():
    modules = loaded_after(
        """
        from engine.app.app import DrillApp
        from engine.cli import main

        opened = []
        DrillApp.run = lambda self: opened.append(type(self).__name__)
        assert main([]) == 0 and opened == ["DrillApp"]
        """
    )
    assert "textual" in modules and "torch" not in modules
