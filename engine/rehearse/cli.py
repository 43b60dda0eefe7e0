"""``drill rehearse start`` and ``drill rehearse run``: the whole assessment in the plain terminal.

``register`` adds the subcommand; the work is imported only when it runs, and this process never
imports torch (the rehearsal's child process does). Exit status of ``run``: 0 when the samples
pass the 95 % mark, 1 when they don't or the notebook fails earlier, 2 for a mistake the user can
fix (no notebook, an unknown profile, a folder without MNIST files, a device that isn't there).
"""

from __future__ import annotations

import argparse
import sys
from typing import TextIO

PROFILE_NAMES = ("cpu", "course", "tiny")


def _minutes(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError("must be more than 0")
    return value


def register(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:  # type: ignore[type-arg]
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "rehearse",
        help="the whole assessment, end to end: fill the notebook, train, sample, classify",
        description="Rehearse the assessment: a notebook shaped like the course's, whose blanks are checked one by one, "
        "then your model is trained on handwritten digits and its samples are classified as the grader does (pass at 95 %).",
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    start = actions.add_parser("start", help="write the rehearsal notebook into your workspace")
    start.add_argument("--workspace", help="folder for your files (default: $DRILL_HOME/workspace)")
    start.add_argument("--fresh", action="store_true", help="replace an existing notebook with a new one")
    start.set_defaults(func=run_start)

    run = actions.add_parser("run", help="check the blanks, train, sample and classify")
    run.add_argument("--profile", choices=PROFILE_NAMES, default="cpu",
                     help="cpu (default): passes in 10 minutes on 2 cores; course: the assessment's sizes, for a GPU; "
                     "tiny: a plumbing check")
    run.add_argument("--minutes", type=_minutes, help="the most minutes to train (default: the profile's)")
    run.add_argument("--device", help="cpu, cuda or cuda:N (default: $DRILL_DEVICE, else CUDA when available)")
    run.add_argument("--file", help="run this notebook instead of the workspace's rehearsal.py")
    run.add_argument("--mnist", metavar="DIR", help="train on the full MNIST IDX files in DIR instead of the 4,500 shipped digits")
    run.add_argument("--seed", type=int, default=0, help="seeds the training and the samples (default 0)")
    run.add_argument("--workspace", help="folder for your files (default: $DRILL_HOME/workspace)")
    run.set_defaults(func=run_rehearsal)
    return parser


def run_start(args: argparse.Namespace, stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    from engine.paths import workspace
    from engine.rehearse.notebook import blanks, scaffold_text
    from engine.rehearse.runner import WORKSPACE_NAME

    stdout, stderr = stdout or sys.stdout, stderr or sys.stderr
    path = workspace(args.workspace) / WORKSPACE_NAME
    if path.exists() and not args.fresh:
        print(path, file=stdout)
        print("(kept your existing notebook; `drill rehearse start --fresh` replaces it)", file=stderr)
        return 0
    path.write_text(scaffold_text(), encoding="utf-8")
    print(path, file=stdout)
    print(f"The assessment's notebook with {len(blanks())} blanks (FIXME_1 … FIXME_{len(blanks())}). Open it in Jupyter "
          "(jupytext) or VS Code as a notebook, fill the blanks, then run `drill rehearse run`.", file=stderr)
    return 0


class _Printer:
    """Prints each event as it arrives; the progress line is redrawn in place on a terminal."""

    def __init__(self, out: TextIO):
        self.out = out
        self.live = out.isatty()
        self.tenth = -1
        self.pixels = b""

    def _line(self, text: str) -> None:
        if self.live:
            self.out.write("\r\033[K" + text)
            self.out.flush()

    def __call__(self, event: object) -> None:
        from engine.rehearse import events, grid, render

        out = self.out
        if isinstance(event, events.Checked):
            print("Checking the blanks", file=out)
            print("\n".join(render.feedback_lines(event.feedback)), file=out)
            if event.parameters:
                print(f"  Your U-Net has {event.parameters:,} parameters.", file=out)
            if not event.passed:
                print("\nFix what is marked ✗, then run `drill rehearse run` again. Nothing was trained.", file=out)
        elif isinstance(event, events.Progress):
            tenth = int(10 * event.step / event.steps) if event.steps else 10
            if self.live:
                self._line(render.progress_line(event))
            elif tenth > self.tenth:
                self.tenth = tenth
                print(render.progress_line(event), file=out, flush=True)
        elif isinstance(event, events.Trained):
            self._line("")
            why = "the time limit" if event.stopped_by == "time" else "the profile's step count"
            print(f"\nTrained {event.steps} steps in {render.clock(event.elapsed_s)} (stopped by {why}); "
                  f"mean loss of the last steps {event.loss:.4f}.", file=out, flush=True)
        elif isinstance(event, events.Sampling):
            text = f"  sampling digit {event.digit} ({event.digit + 1}/10) as the grader does: sample_w(model, c, w)"
            if self.live:
                self._line(text)
            else:
                print(text, file=out, flush=True)
        elif isinstance(event, events.Sampled):
            self._line("")
            print(f"\nSampled 50 images in {render.clock(event.elapsed_s)}.", file=out)
            self.pixels = event.pixels
        elif isinstance(event, events.Classified):
            print("\n".join(grid.text_grid(self.pixels, event.predictions)), file=out)
            print("\n".join(render.digit_table(event.predictions)), file=out)
            print(f"\n{render.verdict(event.accuracy)}", file=out)
        elif isinstance(event, events.Failed):
            self._line("")
            print(f"\n{event.message}", file=out)


def run_rehearsal(args: argparse.Namespace, stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    from pathlib import Path

    from engine.paths import workspace
    from engine.rehearse.profiles import get_profile
    from engine.rehearse.record import PASS
    from engine.rehearse.runner import Rehearsal, Request, learner_file
    from engine.store import open_store

    stdout, stderr = stdout or sys.stdout, stderr or sys.stderr
    profile = get_profile(args.profile)
    request = Request(
        path=learner_file(args.file, workspace(args.workspace)),
        profile=profile,
        device=args.device,
        minutes=args.minutes,
        seed=args.seed,
        mnist=Path(args.mnist).expanduser() if args.mnist else None,
    )
    minutes = args.minutes or profile.minutes
    print(f"Rehearsing {request.path}\n  profile {profile.name}: {profile.summary}; training stops after "
          f"{profile.steps} steps or {minutes:g} minute{'s' if minutes != 1 else ''}.\n", file=stdout, flush=True)
    with open_store(stderr) as store:
        outcome = Rehearsal(request, store).run(_Printer(stdout))
    if outcome.rehearsal_id is not None:
        print(f"\n(recorded as rehearsal {outcome.rehearsal_id}: {outcome.status}; `drill report` shows your rehearsals)", file=stdout)
    return 0 if outcome.status == PASS else 1
