"""The ``drill`` command line. Heavy modules (torch, textual) are imported only by the commands that need them."""

from __future__ import annotations

import argparse
import sys

from engine import __version__


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="drill",
        description="Drills and quizzes for the NVIDIA DLI assessment 'Generative AI with Diffusion Models'.",
    )
    parser.add_argument("--version", action="version", version=f"dli-drill {__version__}")
    parser.add_subparsers(dest="command", metavar="COMMAND")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
