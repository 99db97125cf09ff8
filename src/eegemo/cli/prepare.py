"""``eegemo prepare SOURCE --out STORE``: windows, features, grids and images into a store."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ._options import add_reader_options, reader_options

if TYPE_CHECKING:
    import argparse


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "prepare", help="window, featurise (DE/PSD), grid and store a dataset (resumable, parallel)",
        description="Read a dataset folder (raw recordings or released features), optionally notch, "
                    "band-pass and resample each raw trial, cut the trials into "
                    "windows that never cross a trial's end, compute DE/PSD on µV (DE in nats of "
                    "µV² band power), optional smoothing, the 9×9 grid and topographic images, "
                    "and write a "
                    "zarr + Parquet store. Running it again on an interrupted store resumes it; a "
                    "store of another configuration is refused unless --overwrite.")
    p.add_argument("source", type=Path, help="dataset folder (or file) to read")
    p.add_argument("--out", type=Path, required=True, help="store folder to write")
    p.add_argument("--dataset", default=None,
                   help="seed, seed-iv, seed-v, seed-ger, seed-fra, seed-multimodal-chinese, "
                        "seed-multimodal (its language detected), bird, generic (default: detect)")
    p.add_argument("--kind", choices=("raw", "features"), default=None,
                   help="raw recordings or released features (default: raw where present)")
    p.add_argument("--feature", default="de_LDS",
                   help="released feature to ingest with --kind features (de_LDS, de_movingAve, "
                        "psd_LDS, psd_movingAve; default de_LDS)")
    p.add_argument("--window", type=float, default=1.0, help="window length in seconds (default 1)")
    p.add_argument("--overlap", type=float, default=0.0, help="window overlap in seconds (default 0)")
    p.add_argument("--bands", default=None,
                   help='bands as "delta:1-4,theta:4-8,..." (default SEED\'s five bands)')
    p.add_argument("--features", default="de",
                   help="comma-separated among de, psd, raw (default de)")
    p.add_argument("--smooth", default="none", choices=("none", "moving-average", "lds"),
                   help="smooth features across the windows of each trial (default none)")
    p.add_argument("--smooth-window", type=int, default=5,
                   help="moving-average length in windows (default 5)")
    p.add_argument("--grid", default="seed9x9", choices=("seed9x9", "none"),
                   help="also store features on the 9x9 SEED grid (default seed9x9)")
    p.add_argument("--image-size", type=int, default=None,
                   help="also store interpolated topographic images of this side (3 to 256; e.g. 32)")
    p.add_argument("--bandpass", default=None, metavar="L,H",
                   help="zero-phase FIR band-pass in Hz before windowing, e.g. 1,75 (1, = high-pass "
                        "only, ,40 = low-pass only); raw recordings")
    p.add_argument("--notch", type=float, default=None, metavar="HZ",
                   help="line frequency to notch with its harmonics (50 or 60); raw recordings")
    p.add_argument("--resample", type=float, default=None, metavar="HZ",
                   help="resample every trial to this rate (before filtering when lowering the "
                        "rate, after it otherwise; also lets recordings of different rates share "
                        "a store); raw recordings")
    p.add_argument("--interpolate-to", type=int, default=None,
                   help="opt-in, lossy: stretch every trial to N samples first (the original "
                        "project's method, for comparison)")
    p.add_argument("--subjects", default=None,
                   help="comma-separated subjects to keep (run again with more to widen a store)")
    p.add_argument("--sessions", default=None, help="comma-separated sessions to keep")
    p.add_argument("--jobs", type=int, default=None, help="worker processes (default: all cores)")
    p.add_argument("--scheduler", default=None,
                   help="Dask distributed scheduler address (tcp://host:8786) instead of --jobs")
    p.add_argument("--overwrite", action="store_true",
                   help="replace an existing store prepared with another configuration")
    add_reader_options(p)
    p.set_defaults(func=_run)


def _split(value: str | None):
    return None if value is None else tuple(v.strip() for v in value.split(",") if v.strip())


def _run(args) -> int:
    from ..store import PrepareConfig, prepare

    cfg = PrepareConfig(
        window=args.window, overlap=args.overlap, bands=args.bands, features=args.features,
        smoothing=args.smooth, smoothing_window=args.smooth_window, grid=args.grid,
        image_size=args.image_size, interpolate_to=args.interpolate_to, feature=args.feature,
        dataset=args.dataset, kind=args.kind, subjects=_split(args.subjects),
        sessions=_split(args.sessions), read_options=reader_options(args) or None,
        bandpass=args.bandpass, notch=args.notch, resample=args.resample)
    store = prepare(args.source, args.out, config=cfg, jobs=args.jobs, scheduler=args.scheduler,
                    overwrite=args.overwrite)
    s = store.summary
    rate = f"{s['windows_per_s']:.0f} windows/s" if s["windows_per_s"] else "nothing to compute"
    print(f"{s['path']}: {s['recordings']} recordings ({s['computed']} computed, {s['skipped']} "
          f"already there), {s['windows']} windows, arrays {', '.join(store.arrays)}")
    print(f"{s['seconds']:.1f} s, {rate}, {s['bytes'] / 1e6:.1f} MB on disk, "
          f"config {store.manifest['config_hash']}")
    return 0
