"""Benchmark: the model solution through `drill rehearse run --profile cpu`, once per seed.

    python benchmarks/rehearsal_cpu.py [--seeds 0 1 2] [--profile cpu] [--minutes M]

Each seed is one whole rehearsal, as a learner runs it (child process, blank checks, training,
the grader's 50 samples, classification), in a temporary DRILL_HOME. For each seed it prints the
minutes from start to verdict, the minutes spent training, the steps trained, the accuracy and
whether it passed the 95 % mark; then how many seeds passed within 10 minutes. The profile's
promise is: every seed passes, each within 10 minutes, on an otherwise idle 2-core CPU machine.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from engine.rehearse.events import Event, Trained  # noqa: E402 - after the path is set
from engine.rehearse.profiles import get_profile  # noqa: E402
from engine.rehearse.record import PASS  # noqa: E402
from engine.rehearse.runner import Rehearsal, Request  # noqa: E402
from engine.store import Store  # noqa: E402

LIMIT_MINUTES = 10.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--profile", default="cpu")
    parser.add_argument("--minutes", type=float, help="override the profile's training time limit")
    args = parser.parse_args()
    os.environ["DRILL_HOME"] = tempfile.mkdtemp(prefix="drill-rehearsal-bench-")
    solution = ROOT / "drills" / "rehearsal" / "solution.py"
    profile = get_profile(args.profile)
    print(f"profile {profile.name}: {profile.summary}; {os.cpu_count()} CPUs; load average {os.getloadavg()[0]:.1f}")
    print(f"{'seed':>4}  {'minutes':>7}  {'training':>8}  {'steps':>5}  {'accuracy':>8}  result")
    passed_in_time = 0
    for seed in args.seeds:
        trained: list[Trained] = []

        def keep(event: Event, into: list[Trained] = trained) -> None:
            if isinstance(event, Trained):
                into.append(event)

        started = time.monotonic()
        with Store() as store:
            outcome = Rehearsal(Request(path=solution, profile=profile, seed=seed, minutes=args.minutes), store).run(keep)
        minutes = (time.monotonic() - started) / 60
        accuracy = outcome.classified.accuracy if outcome.classified else None
        training = trained[0].elapsed_s / 60 if trained else float("nan")
        steps = trained[0].steps if trained else 0
        result = outcome.status if outcome.status != "error" else f"error: {outcome.message}"
        shown = f"{accuracy:.0%}" if accuracy is not None else "—"
        print(f"{seed:>4}  {minutes:>7.2f}  {training:>8.2f}  {steps:>5}  {shown:>8}  {result}", flush=True)
        passed_in_time += outcome.status == PASS and minutes <= LIMIT_MINUTES
    print(f"{passed_in_time} of {len(args.seeds)} seeds passed within {LIMIT_MINUTES:g} minutes; load average now {os.getloadavg()[0]:.1f}")
    return 0 if passed_in_time == len(args.seeds) else 1


if __name__ == "__main__":
    sys.exit(main())
