"""``eegemo demo``: the whole mission on a small simulated SEED dataset."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import argparse


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("demo", help="simulate, prepare, recognise, generate and report, in minutes",
                       description="Simulate a small SEED-format dataset (labelled as simulated), prepare "
                                   "it, train a classical model (SVM on DE) and the 4-D attention network "
                                   "under the standard protocol, train and evaluate a generator "
                                   "(wgan-4d), and write the HTML report.")
    p.add_argument("--out", type=Path, default=Path("demo-output"), help="folder for everything written")
    p.add_argument("--size", choices=("full", "tiny"), default="full",
                   help="'tiny': fewer subjects, trials and epochs, a few minutes on 2 cores (what "
                        "the test suite uses)")
    p.add_argument("--seed", type=int, default=0, help="random seed")
    p.set_defaults(func=_run)


def _run(args) -> int:
    from ..demo import format_summary, run_demo

    summary = run_demo(args.out, size=args.size, random_state=args.seed)
    print(format_summary(summary))
    return 0
