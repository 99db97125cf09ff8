"""Peak memory of reading a one-hour 66-channel 1000 Hz Neuroscan ``.cnt`` (SEED-V raw) trial by trial.

Writes ``EEG_raw/1_1_20180804.cnt`` (3600 s × 66 channels × 1000 Hz, int32, ≈ 0.95 GB) with the
simulator's streaming writer, then, in a fresh subprocess, runs ``eegemo.datasets.read`` on it and loads
all 15 published SEED-V session-1 trials one after the other, reporting the child's peak RSS
(``resource.getrusage``, ru_maxrss) and the time taken. ``--baseline`` also measures MNE's
``read_raw_cnt(..., preload=True)`` (the whole file in memory, as TorchEEG reads it) for comparison.

Usage::

    .venv/bin/python benchmarks/read_memory.py [--seconds 3600] [--workdir DIR] [--baseline]
        [--results benchmarks/RESULTS.md]

The result replaces the ``<!-- read_memory -->`` section of ``benchmarks/RESULTS.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

CHILD_READ = r"""
import json, resource, sys, time
import numpy as np
from eegemo.datasets import read
from eegemo.datasets._family import load_table
scale = float(sys.argv[2])
tt = load_table("seed_v")["trial_times"]["1"]
times = {k: [v * scale for v in tt[k]] for k in ("start", "end")}
t0 = time.perf_counter()
(rec,) = read(sys.argv[1], "seed-v", kind="raw", trial_times=times)
opened = time.perf_counter() - t0
n, s = 0, 0.0
for t in rec.trials:
    x = t.load()
    n += x.shape[1]
    s += float(x[:, ::1000].std())
    del x
print(json.dumps({"peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "seconds": time.perf_counter() - t0, "open_seconds": opened,
                  "n_trials": len(rec.trials), "n_channels": len(rec.ch_names),
                  "samples_read": n, "vendor": rec.extra.get("vendor")}))
"""

CHILD_BASELINE = r"""
import json, resource, sys, time
import mne
t0 = time.perf_counter()
raw = mne.io.read_raw_cnt(sys.argv[1], data_format="int32", preload=True, verbose="error")
print(json.dumps({"peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "seconds": time.perf_counter() - t0}))
"""

CHILD_IMPORT = r"""
import json, resource
import mne, eegemo.datasets, eegemo.datasets.seed_v  # noqa: F401
print(json.dumps({"peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def _child(code: str, *args: str) -> dict:
    env = dict(os.environ, EEGEMO_NO_PROGRESS="1")
    # Linux keeps a process's peak RSS across exec, so a child forked straight from this (large)
    # process would report at least our RSS: start it from a small intermediate interpreter.
    launcher = "import subprocess, sys; sys.exit(subprocess.run(sys.argv[1:]).returncode)"
    out = subprocess.run([sys.executable, "-c", launcher, sys.executable, "-c", code, *args],
                         capture_output=True, text=True, env=env)
    if out.returncode:
        raise SystemExit(f"benchmark child failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def write_file(root: Path, seconds: float) -> Path:
    """A simulated one-hour SEED-V session (white noise ≈ 20 µV keeps writing fast)."""
    from eegemo.channels import SEED_CNT_CHANNELS
    from eegemo.datasets.simulate import write_neuroscan_cnt

    path = root / "EEG_raw" / "1_1_20180804.cnt"
    if path.is_file() and path.stat().st_size > 900 + 75 * 66 + 4 * 66 * seconds * 1000 - 1:
        return path
    sfreq, block = 1000, 60_000
    rng = np.random.default_rng(0)

    def blocks():
        for a in range(0, int(seconds * sfreq), block):
            n = min(block, int(seconds * sfreq) - a)
            yield rng.normal(0, 20e-6, (len(SEED_CNT_CHANNELS), n)).astype(np.float32)

    write_neuroscan_cnt(path, blocks, sfreq, SEED_CNT_CHANNELS, data_format="int32")
    return path


def update_results(results: Path, section: str) -> None:
    start, end = "<!-- read_memory -->", "<!-- /read_memory -->"
    text = results.read_text() if results.is_file() else "# Benchmarks\n"
    block = f"{start}\n{section.rstrip()}\n{end}\n"
    if start in text and end in text:
        a, b = text.index(start), text.index(end) + len(end)
        text = text[:a] + block.rstrip("\n") + text[b:]
    else:
        text = text.rstrip("\n") + "\n\n" + block
    results.parent.mkdir(parents=True, exist_ok=True)
    results.write_text(text)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seconds", type=float, default=3600.0)
    ap.add_argument("--workdir", type=Path, default=None)
    ap.add_argument("--baseline", action="store_true")
    ap.add_argument("--results", type=Path, default=Path(__file__).with_name("RESULTS.md"))
    args = ap.parse_args(argv)

    tmp = None
    if args.workdir is None:
        tmp = tempfile.TemporaryDirectory(prefix="eegemo_readmem_")
        args.workdir = Path(tmp.name)
    t0 = time.perf_counter()
    existed = (args.workdir / "EEG_raw" / "1_1_20180804.cnt").is_file()
    path = write_file(args.workdir, args.seconds)
    write_s = time.perf_counter() - t0
    how = ("reused from --workdir" if existed and write_s < 1 else
           f"written in {write_s:.0f} s by the simulator's streaming writer")
    size_gb = path.stat().st_size / 1e9
    base = _child(CHILD_IMPORT)
    # the published session-1 trials end at 3359 s; shorter test files scale them down
    scale = min(1.0, args.seconds / 3600.0)
    res = _child(CHILD_READ, str(args.workdir), str(scale))
    lines = [
        f"## Reading a {args.seconds / 3600:g}-hour SEED-V .cnt (benchmarks/read_memory.py)",
        "",
        f"File: {args.seconds:.0f} s × 66 channels × 1000 Hz, Neuroscan int32, {size_gb:.2f} GB "
        f"({how}). Reader: "
        "`eegemo.datasets.read(..., 'seed-v', kind='raw')`, then `trial.load()` for all "
        f"{res['n_trials']} published session-1 trials ({res['samples_read'] / 1000:.0f} s of "
        f"{res['n_channels']}-channel data), one at a time; peak RSS of a fresh process "
        "(`resource.getrusage`).",
        "",
        "| what | peak RSS (MB) | time (s) |",
        "| --- | ---: | ---: |",
        f"| import mne + eegemo only | {base['peak_rss_mb']:.0f} | |",
        f"| eegemo: open + load 15 trials | {res['peak_rss_mb']:.0f} | {res['seconds']:.1f} |",
    ]
    if args.baseline:
        b = _child(CHILD_BASELINE, str(path))
        lines.append(f"| MNE `read_raw_cnt(preload=True)` (whole file) | {b['peak_rss_mb']:.0f} | "
                     f"{b['seconds']:.1f} |")
    lines += ["", f"Target: peak RSS < 2048 MB → {'met' if res['peak_rss_mb'] < 2048 else 'NOT met'}. "
              f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python "
              f"{platform.python_version()}."]
    section = "\n".join(lines)
    print(section)
    update_results(args.results, section)
    if tmp is not None:
        tmp.cleanup()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
