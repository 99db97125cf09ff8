"""``eegemo simulate``: write a simulated SEED-family dataset in its published layout."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

__all__ = ["add_parser"]


def _run(args: argparse.Namespace) -> int:
    from ..datasets.simulate import DATASETS, simulate

    t0 = time.perf_counter()
    out = simulate(args.dataset, args.out, subjects=args.subjects, sessions=args.sessions,
                   duration_scale=args.duration_scale, effect_size=args.effect_size,
                   subject_variability=args.subject_variability, blinks=not args.no_blinks,
                   line_noise=not args.no_line_noise, features=not args.no_features,
                   random_state=args.seed, overwrite=args.overwrite)
    files = [p for p in Path(out).rglob("*") if p.is_file()]
    size = sum(p.stat().st_size for p in files)
    n_subj = args.subjects or DATASETS[args.dataset][0]
    n_sess = args.sessions or DATASETS[args.dataset][1]
    print(f"simulated {args.dataset}: {n_subj} subjects × {n_sess} sessions, {len(files)} files, "
          f"{size / 1e6:.1f} MB in {time.perf_counter() - t0:.1f} s → {out} (marked simulated)")
    return 0


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Add ``eegemo simulate`` to the command line."""
    from ..datasets.simulate import DATASETS

    p = subparsers.add_parser(
        "simulate", help="write a simulated SEED-family dataset in its published layout",
        description="Write realistic simulated EEG (1/f background, alpha, spatial correlation, blinks, "
                    "line noise, emotion effects after Zheng & Lu 2015) in the exact folder layout "
                    "and file names of a SEED-family release, marked by eegemo-simulated.json.")
    p.add_argument("--dataset", required=True, metavar="DATASET", choices=list(DATASETS), help="release to imitate: " + ", ".join(DATASETS))
    p.add_argument("out", help="output folder (empty, or an earlier simulation)")
    p.add_argument("--subjects", type=int, metavar="N", default=None, help="first N subjects (default all)")
    p.add_argument("--sessions", type=int, metavar="N", default=None, help="first N sessions (default all)")
    p.add_argument("--duration-scale", type=float, metavar="F", default=1.0,
                   help="multiply trial lengths (default 1 = full length; 0.01 for tiny data)")
    p.add_argument("--effect-size", type=float, metavar="F", default=1.0,
                   help="strength of the emotion effects (0 none, 1 moderate; default 1)")
    p.add_argument("--subject-variability", type=float, metavar="F", default=0.3,
                   help="spread of per-subject parameters (default 0.3)")
    p.add_argument("--no-blinks", action="store_true", help="no eye blinks")
    p.add_argument("--no-line-noise", action="store_true", help="no 50 Hz line noise")
    p.add_argument("--no-features", action="store_true", help="do not write the feature files")
    p.add_argument("--seed", type=int, metavar="N", default=0, help="random seed (default 0)")
    p.add_argument("--overwrite", action="store_true",
                   help="write into a non-empty folder that is not an eegemo simulation "
                        "(never one holding recordings, label or feature files, a store or a "
                        "run)")
    p.set_defaults(func=_run)
