"""Benchmark: the cost of `drill run` against the cost of importing torch, measured side by side.

    python benchmarks/drill_run.py [--repeat 9] [--drill forward_diffusion]

Runs are interleaved so that both commands see the same machine load; the medians and their
ratio are printed. `drill --help` and `drill list` are timed too (they must not import torch).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def timed(command: list[str], env: dict) -> float:
    started = time.perf_counter()
    subprocess.run(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--drill", default="forward_diffusion")
    args = parser.parse_args()
    env = {**os.environ, "DRILL_HOME": tempfile.mkdtemp(prefix="drill-bench-")}
    solution = ROOT / "drills" / args.drill / "solution.py"
    commands = {
        "import torch": [sys.executable, "-c", "import torch"],
        f"drill run {args.drill}": [sys.executable, "-m", "engine.cli", "run", args.drill, "--file", str(solution)],
        "drill --help": [sys.executable, "-m", "engine.cli", "--help"],
        "drill list": [sys.executable, "-m", "engine.cli", "list"],
    }
    samples: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(args.repeat):
        for name, command in commands.items():
            samples[name].append(timed(command, env))
    medians = {name: statistics.median(values) for name, values in samples.items()}
    for name, median in medians.items():
        print(f"{name:32s} median {median:6.3f} s  (min {min(samples[name]):.3f}, max {max(samples[name]):.3f})")
    ratio = medians[f"drill run {args.drill}"] / medians["import torch"]
    print(f"ratio drill run / import torch: {ratio:.2f}")


if __name__ == "__main__":
    main()
