"""CCNN training throughput: eegemo's ``ccnn`` estimator vs TorchEEG 1.1.3's CCNN + ClassifierTrainer.

Both train the same architecture (Yang et al. 2018: four padded 4 × 4 convolutions 64-128-256-64,
dense 1024, dropout 0.5) on the same in-memory data (N grids of shape (5, 9, 9), 3 classes, plus a
validation set evaluated once per epoch), with the same batch size, Adam, on the CPU with the same
number of torch threads. TorchEEG runs in its own virtual environment
(``benchmarks/_work/torcheeg-venv``, made by ``benchmarks/setup_torcheeg.sh``) in a subprocess; the
data travel as ``.npy`` files. Each side first trains one warm-up epoch on a small subset; the timed
fits are repeated (sides alternating) and the best samples/s of each side is kept, which is the
usual way to read timings on a shared machine.

TorchEEG's data are fed through a plain ``TensorDataset``/``DataLoader`` (its fastest path: no
LMDB reads or per-sample transforms), so this measures the training loop, not the dataset layer.

Usage::

    .venv/bin/python benchmarks/train_vs_torcheeg.py [--n 4096] [--epochs 3] [--batch-size 64]
        [--threads 2] [--repeats 3] [--no-write]

Writes the ``<!-- train -->`` section of benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import platform
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "RESULTS.md"
SGEMM_N = 2048  # side of the square float32 matrix product timed as the float32 peak

TORCHEEG_SCRIPT = textwrap.dedent(r"""
    import contextlib, io, json, sys, time, warnings
    warnings.filterwarnings("ignore")
    import numpy as np
    import torch
    from torch.utils.data import DataLoader, TensorDataset
    args = json.loads(sys.argv[1])
    torch.set_num_threads(args["threads"])
    torch.manual_seed(0)
    import torcheeg
    from torcheeg.models import CCNN
    from torcheeg.trainers import ClassifierTrainer
    X = torch.from_numpy(np.load(args["X"])); y = torch.from_numpy(np.load(args["y"])).long()
    Xv = torch.from_numpy(np.load(args["Xv"])); yv = torch.from_numpy(np.load(args["yv"])).long()
    bs = args["batch_size"]

    def fit(n, epochs):
        model = CCNN(in_channels=X.shape[1], grid_size=tuple(X.shape[2:]), num_classes=3)
        trainer = ClassifierTrainer(model=model, num_classes=3, lr=args["lr"], accelerator="cpu",
                                    verbose=False)
        train = DataLoader(TensorDataset(X[:n], y[:n]), batch_size=bs, shuffle=True)
        val = DataLoader(TensorDataset(Xv, yv), batch_size=bs)
        t0 = time.perf_counter()
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            trainer.fit(train, val, max_epochs=epochs, enable_progress_bar=False,
                        enable_checkpointing=False, logger=False, enable_model_summary=False,
                        num_sanity_val_steps=0)
        return time.perf_counter() - t0

    fit(min(len(X), 4 * bs), 1)  # warm-up
    out = []
    for _ in range(args["repeats"]):
        t = fit(len(X), args["epochs"])
        out.append(len(X) * args["epochs"] / t)
    print(json.dumps({"samples_per_s": out, "torcheeg": torcheeg.__version__,
                      "torch": torch.__version__, "threads": torch.get_num_threads()}))
""")


def write_section(tag: str, body: str, path: Path = RESULTS) -> Path:
    """Replace (or append) the ``<!-- tag -->`` … ``<!-- /tag -->`` block of RESULTS.md only."""
    start, end = f"<!-- {tag} -->", f"<!-- /{tag} -->"
    block = f"{start}\n{body.strip()}\n{end}"
    lock = HERE / "_work" / ".results.lock"
    lock.parent.mkdir(parents=True, exist_ok=True)
    with open(lock, "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        text = path.read_text() if path.exists() else "# Benchmark results\n"
        if start in text and end in text:
            text = text[:text.index(start)] + block + text[text.index(end) + len(end):]
        else:
            text = text.rstrip("\n") + "\n\n" + block + "\n"
        tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
        tmp.write_text(text)
        os.replace(tmp, path)
    return path


def torcheeg_python(wait_s: float = 900.0) -> str:
    """Path of the TorchEEG venv's python (runs setup_torcheeg.sh, which waits on its own lock)."""
    setup = HERE / "setup_torcheeg.sh"
    deadline = time.time() + wait_s
    while not setup.exists():
        if time.time() > deadline:
            raise SystemExit(f"{setup} does not exist (expected the store engineer's setup script)")
        time.sleep(10)
    res = subprocess.run(["bash", str(setup)], capture_output=True, text=True)
    if res.returncode != 0:
        raise SystemExit(f"setup_torcheeg.sh failed:\n{res.stderr[-2000:]}")
    return res.stdout.strip().splitlines()[-1]


def make_data(n: int, n_val: int, seed: int = 0):
    """Grids (n, 5, 9, 9) with a weak class pattern (the content does not change the speed)."""
    rng = np.random.default_rng(seed)
    pattern = rng.normal(size=(3, 5, 9, 9)).astype(np.float32)
    y = rng.integers(0, 3, n + n_val)
    X = (rng.normal(size=(n + n_val, 5, 9, 9)).astype(np.float32) + 0.5 * pattern[y])
    return X[:n], y[:n].astype(np.int64), X[n:], y[n:].astype(np.int64)


def run_eegemo(X, y, Xv, yv, *, epochs, batch_size, threads, lr, repeats, amp=False,
               device="cpu", model="ccnn") -> list[float]:
    import torch

    from eegemo.models import get_model

    torch.set_num_threads(threads)

    def fit(n, ep):
        # no training-time augmentation: TorchEEG's trainer has none, and the loops are compared
        est = get_model(model, max_epochs=ep, batch_size=batch_size, lr=lr, device=device,
                        n_threads=threads, patience=ep + 1, random_state=0, amp=amp, augment=None)
        t0 = time.perf_counter()
        est.fit(X[:n], y[:n], Xv, yv)
        return time.perf_counter() - t0

    fit(min(len(X), 4 * batch_size), 1)
    return [len(X) * epochs / fit(len(X), epochs) for _ in range(repeats)]


def ccnn_flops_per_sample(batch_size: int = 64) -> float:
    """Floating-point operations of one CCNN training step per sample (forward + backward).

    Counted by :class:`torch.utils.flop_counter.FlopCounterMode` on eegemo's CCNN module (the
    convolutions and dense layers; the optimiser step adds about ten operations per weight per
    batch, under 1 % here, and is left out).
    """
    import torch
    from torch.utils.flop_counter import FlopCounterMode

    from eegemo.models import get_model

    module = get_model("ccnn")._build_module((5, 9, 9), 3)
    x = torch.randn(batch_size, 5, 9, 9)
    y = torch.randint(0, 3, (batch_size,))
    with FlopCounterMode(display=False) as counter:
        torch.nn.functional.cross_entropy(module(x), y).backward()
    return counter.get_total_flops() / batch_size


def _best_seconds(fn, repeats: int) -> float:
    """Shortest wall time of ``fn()`` over ``repeats`` calls, after one untimed warm-up call."""
    fn()
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def conv_gflops(threads: int, batch_size: int = 64, repeats: int = 5) -> float:
    """Best float32 rate (GFLOP/s) of the CCNN's own convolutions, forward only, on this machine.

    Each of the three inner 4 × 4 convolutions of the CCNN (64→128, 128→256, 256→64 filters on a
    9 × 9 grid, "same" padding) is timed alone on a batch, best of ``repeats``; the fastest one's rate
    is returned: the practical ceiling of the arithmetic a CCNN training step is made of.
    """
    import warnings

    import torch
    import torch.nn.functional as F

    torch.set_num_threads(threads)
    best_rate = 0.0
    for cin, cout in ((64, 128), (128, 256), (256, 64)):
        x, w = torch.randn(batch_size, cin, 9, 9), torch.randn(cout, cin, 4, 4)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            best = _best_seconds(lambda: F.conv2d(x, w, padding="same"), repeats)
        best_rate = max(best_rate, 2 * batch_size * cout * cin * 16 * 81 / best / 1e9)
    return best_rate


def sgemm_gflops(threads: int, n: int = SGEMM_N, repeats: int = 5) -> float:
    """Best float32 rate (GFLOP/s) of one large square matrix product on this machine.

    An ``n`` × ``n`` float32 ``torch.mm`` (oneDNN/MKL sgemm), best of ``repeats`` after a warm-up:
    about the highest float32 rate any computation reaches on these threads, the machine's practical
    float32 peak, against which no training loop of either library can do better.
    """
    import torch

    torch.set_num_threads(threads)
    a, b = torch.randn(n, n), torch.randn(n, n)
    return 2 * n ** 3 / _best_seconds(lambda: torch.mm(a, b), repeats) / 1e9


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=4096, help="training grids")
    ap.add_argument("--n-val", type=int, default=512, help="validation grids")
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--threads", type=int, default=min(2, os.cpu_count() or 1))
    ap.add_argument("--lr", type=float, default=1e-4)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--no-write", action="store_true", help="do not update RESULTS.md")
    args = ap.parse_args(argv)

    X, y, Xv, yv = make_data(args.n, args.n_val)
    py = torcheeg_python()
    with tempfile.TemporaryDirectory(dir=HERE / "_work") as tmp:
        files = {}
        for name, arr in (("X", X), ("y", y), ("Xv", Xv), ("yv", yv)):
            files[name] = str(Path(tmp) / f"{name}.npy")
            np.save(files[name], arr)
        theirs, ours, ours_bf16, peaks, mm_peaks = [], [], [], [], []
        for r in range(args.repeats):  # alternate the sides so load changes hit both
            payload = {**files, "threads": args.threads, "batch_size": args.batch_size,
                       "epochs": args.epochs, "lr": args.lr, "repeats": 1}
            res = subprocess.run([py, "-c", TORCHEEG_SCRIPT, json.dumps(payload)],
                                 capture_output=True, text=True)
            if res.returncode != 0:
                raise SystemExit(f"TorchEEG run failed:\n{res.stderr[-3000:]}")
            info = json.loads(res.stdout.strip().splitlines()[-1])
            theirs += info["samples_per_s"]
            ours += run_eegemo(X, y, Xv, yv, epochs=args.epochs, batch_size=args.batch_size,
                               threads=args.threads, lr=args.lr, repeats=1)
            ours_bf16 += run_eegemo(X, y, Xv, yv, epochs=args.epochs, batch_size=args.batch_size,
                                    threads=args.threads, lr=args.lr, repeats=1, amp=True)
            # the ceilings are measured in every repeat too, so they see the same load
            peaks.append(conv_gflops(args.threads, args.batch_size))
            mm_peaks.append(sgemm_gflops(args.threads))
            print(f"repeat {r + 1}: eegemo {ours[-1]:.0f} samples/s (amp/bf16 {ours_bf16[-1]:.0f}), "
                  f"TorchEEG {theirs[-1]:.0f} samples/s", flush=True)
    flops = ccnn_flops_per_sample(args.batch_size)
    peak, mm_peak = max(peaks), max(mm_peaks)
    best_ours, best_theirs = max(ours), max(theirs)
    gf_ours, gf_theirs = best_ours * flops / 1e9, best_theirs * flops / 1e9
    ratio = best_ours / best_theirs
    ratio_bf16 = max(ours_bf16) / best_theirs
    # the practical float32 ceiling: the faster of the two (on some CPUs, e.g. AMD ones, torch.mm's
    # sgemm runs below oneDNN's convolutions and is no ceiling at all)
    ceiling = max(peak, mm_peak)
    capped = ceiling < 2 * gf_theirs  # even a loop at the float32 ceiling stays under 2×
    reach = (", so 2× in float32 is out of reach of any loop on this CPU, not only of ours" if capped
             else " (2× is not ruled out by the arithmetic alone here)")
    if mm_peak >= peak:
        mm_text = (f"A large float32 matrix product ({SGEMM_N} × {SGEMM_N} `torch.mm`, same threads, "
                   f"best over the same repeats), about the fastest float32 arithmetic this machine "
                   f"does, reaches {mm_peak:.0f} GFLOP/s: a training loop running every operation "
                   f"of the step (the same direct convolutions; Winograd or FFT convolutions would "
                   f"change the arithmetic) at that rate would be {mm_peak / gf_theirs:.2f}× "
                   f"TorchEEG{reach}.")
    else:
        mm_text = (f"A large float32 matrix product ({SGEMM_N} × {SGEMM_N} `torch.mm`, same "
                   f"threads, best over the same repeats) reaches only {mm_peak:.0f} GFLOP/s here, "
                   f"below the convolutions (its sgemm is not the fastest float32 path on this "
                   f"CPU), so the convolutions' {peak:.0f} GFLOP/s is the ceiling: a training loop "
                   f"running every operation of the step (the same direct convolutions; Winograd "
                   f"or FFT convolutions would change the arithmetic) at that rate would be "
                   f"{peak / gf_theirs:.2f}× TorchEEG{reach}.")
    import torch

    from eegemo.models._base import _cpu_has_bf16

    body = f"""## CCNN training throughput: eegemo vs TorchEEG {info['torcheeg']}

`benchmarks/train_vs_torcheeg.py` — same CCNN architecture (Yang et al. 2018), same data
({args.n} training + {args.n_val} validation grids of 5 × 9 × 9, 3 classes, in memory), batch size
{args.batch_size}, Adam, {args.epochs} epochs per fit with one validation pass per epoch, CPU,
{args.threads} torch thread(s) on both sides; best of {args.repeats} alternating repeats after a
warm-up. TorchEEG: `torcheeg.models.CCNN` + `torcheeg.trainers.ClassifierTrainer` (PyTorch
Lightning) fed by a `TensorDataset`/`DataLoader`; eegemo: `get_model("ccnn").fit(X, y, X_val, y_val)`.

| | samples/s (best) | all repeats |
|---|---:|---|
| eegemo `ccnn` (torch {torch.__version__}) | {best_ours:.0f} | {', '.join(f'{v:.0f}' for v in ours)} |
| eegemo `ccnn`, `amp=True` (bfloat16 autocast on the CPU) | {max(ours_bf16):.0f} | {', '.join(f'{v:.0f}' for v in ours_bf16)} |
| TorchEEG {info['torcheeg']} CCNN + ClassifierTrainer (torch {info['torch']}) | {best_theirs:.0f} | {', '.join(f'{v:.0f}' for v in theirs)} |

**Ratio, same float32 arithmetic on both sides: {ratio:.2f}×** (target ≥ 2×: {'met' if ratio >= 2 else
'NOT met'}). With eegemo's optional mixed precision (`amp=True`, bfloat16 on a CPU with native
bfloat16: {'yes' if _cpu_has_bf16() else 'no'}) against TorchEEG's float32 default: {ratio_bf16:.2f}×;
that is not the same arithmetic, so it is reported beside the target, not as meeting it.

**{'Why float32 cannot reach 2×' if capped else 'Where float32 stands against 2×'}.** One CCNN training step costs {flops / 1e6:.0f} MFLOP per sample
(forward + backward, counted with `torch.utils.flop_counter`). At {best_ours:.0f} samples/s eegemo runs
at {gf_ours:.0f} GFLOP/s and TorchEEG at {gf_theirs:.0f} GFLOP/s. The fastest of the CCNN's own
convolutions, timed alone (forward only, same threads, best over the same repeats), reaches {peak:.0f} GFLOP/s. Twice
TorchEEG's rate would need {2 * gf_theirs:.0f} GFLOP/s, {2 * gf_theirs / peak:.0%} of that ceiling, for a
whole training step whose backward convolutions are slower than the forward ones. {mm_text} Both loops spend most of their time inside the same oneDNN
convolutions; the remaining headroom is in arithmetic precision (bf16), not in the training loop. Machine:
{platform.machine()}, {os.cpu_count()} logical CPUs shared with other jobs, Python
{platform.python_version()}; measured {time.strftime('%Y-%m-%d')}.
"""
    print(body)
    if not args.no_write:
        write_section("train", body)
        print(f"wrote the train section of {RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
