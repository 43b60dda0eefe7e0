"""Benchmark: `drill run` cold and warm, side by side with the cost of importing torch.

    python benchmarks/drill_run.py [--repeat 9]

Every command is a fresh process, timed end to end, and the commands are interleaved round by
round so that all of them see the same machine load; medians (and min/max) are printed with the
issue's targets:

- a warm re-run of forward_diffusion (the per-user warm grader, already started) ≤ 0.3 s;
- a cold run (`--cold`) ≤ 1.3 × `python -c "import torch"`;
- `drill run unet` warm ≤ 1 s.

It also times a warm re-run inside one process (what the app and `--watch` pay per save: no
interpreter start-up) and `drill --help` / `drill list`, which must stay torch-free.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def timed(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - started


def in_process(drill: str) -> Callable[[], float]:
    """A warm re-run through a private warm grader, timed inside this process (the app's and --watch's case)."""
    from engine.drills.runner import run_drill
    from engine.drills.warm import session_grader

    grader = session_grader()
    solution = ROOT / "drills" / drill / "solution.py"
    run_drill(drill, solution, device="cpu", grader=grader)

    def once() -> float:
        started = time.perf_counter()
        run_drill(drill, solution, device="cpu", grader=grader)
        return time.perf_counter() - started

    return once


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=9)
    args = parser.parse_args()
    home = tempfile.mkdtemp(prefix="drill-bench-")
    env = {**os.environ, "DRILL_HOME": home, "DRILL_DEVICE": "cpu"}
    os.environ.update(DRILL_HOME=home)
    drill = [sys.executable, "-m", "engine.cli"]

    def run(name: str, *flags: str) -> list[str]:
        return [*drill, "run", name, "--file", str(ROOT / "drills" / name / "solution.py"), *flags]

    commands = {
        "python -c 'import torch'": [sys.executable, "-c", "import torch"],
        "drill run forward_diffusion --cold": run("forward_diffusion", "--cold"),
        "drill run forward_diffusion (warm)": run("forward_diffusion"),
        "drill run unet (warm)": run("unet"),
        "drill --help": [*drill, "--help"],
        "drill list": [*drill, "list"],
    }
    # The first warm run starts the per-user grader; it is not a re-run, so it is not timed.
    timed(run("forward_diffusion"), env)
    timings: dict[str, Callable[[], float]] = {name: (lambda command=command: timed(command, env)) for name, command in commands.items()}
    timings["forward_diffusion warm, in-process"] = in_process("forward_diffusion")
    timings["unet warm, in-process"] = in_process("unet")
    samples: dict[str, list[float]] = {name: [] for name in timings}
    load = os.getloadavg()[0]
    for _ in range(args.repeat):
        for name, measure in timings.items():
            samples[name].append(measure())
    medians = {name: statistics.median(values) for name, values in samples.items()}
    print(f"load average at the start: {load:.2f} on {os.cpu_count()} cores; {args.repeat} runs of each, interleaved")
    for name, median in medians.items():
        print(f"{name:40s} median {median:6.3f} s  (min {min(samples[name]):.3f}, max {max(samples[name]):.3f})")
    torch_import = medians["python -c 'import torch'"]
    print()
    print(f"cold run / import torch:            {medians['drill run forward_diffusion --cold'] / torch_import:5.2f}  (target ≤ 1.3)")
    print(f"warm re-run forward_diffusion:      {medians['drill run forward_diffusion (warm)']:5.3f} s  (target ≤ 0.3 s)")
    print(f"warm drill run unet:                {medians['drill run unet (warm)']:5.3f} s  (target ≤ 1 s)")
    from engine.drills.warm import UserGrader

    UserGrader(Path(home)).stop()


if __name__ == "__main__":
    main()
