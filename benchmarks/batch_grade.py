"""Benchmark: a class graded at once (`drill grade --batch`) against the same files run one by one, cold.

    python benchmarks/batch_grade.py [--files 100] [--drill forward_diffusion]

The folder holds ``--files`` submissions cycled from the drill's model solution, its correct
alternatives and its starter. The batch is timed end to end (warm template start-up included);
the baseline is ``drill run --cold`` on every file, one after the other. The issue's target is a
batch at least 8× faster.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def classroom(drill: str, count: int, folder: Path) -> list[Path]:
    source = ROOT / "drills" / drill
    models = [source / "solution.py", *sorted((source / "alternatives").glob("*.py")), source / "starter.py"]
    files = []
    for index in range(count):
        path = folder / f"student{index:03d}.py"
        shutil.copyfile(models[index % len(models)], path)
        files.append(path)
    return files


def elapsed(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=100)
    parser.add_argument("--drill", default="forward_diffusion")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="drill-batch-bench-"))
    env = {**os.environ, "DRILL_HOME": str(work / "home"), "DRILL_DEVICE": "cpu"}
    (work / "class").mkdir()
    files = classroom(args.drill, args.files, work / "class")
    drill = [sys.executable, "-m", "engine.cli"]
    load = os.getloadavg()[0]
    batch = elapsed([*drill, "grade", args.drill, "--batch", str(work / "class"), "--out", str(work / "grades")], env)
    sequential = sum(elapsed([*drill, "run", args.drill, "--file", str(path), "--cold"], env) for path in files)
    print(f"load average at the start: {load:.2f} on {os.cpu_count()} cores; {args.files} files of {args.drill}")
    print(f"drill grade --batch:           {batch:7.1f} s  ({args.files / batch:.1f} files/s)")
    print(f"sequential drill run --cold:   {sequential:7.1f} s  ({args.files / sequential:.2f} files/s)")
    print(f"speed-up: {sequential / batch:.1f}×  (target ≥ 8×)")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
