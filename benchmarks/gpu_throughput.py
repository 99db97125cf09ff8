"""Training throughput of eegemo's grid models on a CUDA GPU (float32 and ``amp=True``).

The same data and loop as :mod:`train_vs_torcheeg` (CCNN, N grids of 5 × 9 × 9, 3 classes, one
validation pass per epoch), run with ``device="cuda"`` at the batch size of the CPU comparison (64)
and at a larger one, plus the 4-D attention network on the same grids. TorchEEG is not run here: the
issue's comparison is on the CPU (see the ``train`` section of RESULTS.md). Usage on a CUDA machine::

    python benchmarks/gpu_throughput.py --json OUT.json

and, back on the machine that holds the repository, ``--write OUT.json`` puts the ``train-gpu``
section into benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
RESULTS = HERE / "RESULTS.md"


def measure(args) -> dict:
    import torch

    from train_vs_torcheeg import make_data, run_eegemo

    import numpy as np

    X, y, Xv, yv = make_data(args.n, args.n_val)
    # attention-4d reads sequences of T = 4 consecutive grids (4-D segments of 4 windows)
    seq = {"ccnn": (X, Xv), "attention-4d": tuple(np.stack([np.roll(a, k, axis=0) for k in range(4)],
                                                            axis=1) for a in (X, Xv))}
    rows = []
    for model in ("ccnn", "attention-4d"):
        X_m, Xv_m = seq[model]
        for batch in (64, 256):
            for amp in (False, True):
                if model == "attention-4d" and batch == 256:
                    continue
                rates = run_eegemo(X_m, y, Xv_m, yv, epochs=args.epochs, batch_size=batch, threads=4,
                                   lr=1e-4, repeats=args.repeats, amp=amp, device=args.device,
                                   model=model)
                rows.append(dict(model=model, batch_size=batch, amp=amp, samples_per_s=rates))
                print(f"{model} batch {batch} amp {amp}: {max(rates):.0f} samples/s", flush=True)
    return dict(rows=rows, gpu=torch.cuda.get_device_name() if args.device != "cpu" else "CPU", torch=torch.__version__,
                n=args.n, n_val=args.n_val, epochs=args.epochs, repeats=args.repeats,
                date=time.strftime("%Y-%m-%d"))


def section(res: dict) -> str:
    lines = ["## Training throughput on a GPU (`benchmarks/gpu_throughput.py`)",
             "",
             f"{res['gpu']}, torch {res['torch']}, {res['date']}; {res['n']} training + "
             f"{res['n_val']} validation grids of 5 × 9 × 9, {res['epochs']} epochs per fit with "
             f"a validation pass per epoch, best of {res['repeats']} fits after a warm-up. "
             "`amp=True` is bfloat16 autocast on this GPU. Informational: the issue's target "
             "compares with TorchEEG on the CPU (section above).", "",
             "| model | batch | amp | samples/s (best) | all fits |", "|---|---:|---|---:|---|"]
    for r in res["rows"]:
        rates = r["samples_per_s"]
        lines.append(f"| {r['model']} | {r['batch_size']} | {'bf16' if r['amp'] else 'float32'} | "
                     f"{max(rates):.0f} | {', '.join(f'{v:.0f}' for v in rates)} |")
    lines += [""] + [f"- {n}" for n in res.get("notes", [])]
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", help="measure on the GPU and write this JSON")
    ap.add_argument("--write", help="write the RESULTS.md section from this JSON")
    ap.add_argument("--n", type=int, default=4096)
    ap.add_argument("--n-val", type=int, default=512)
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--device", default="cuda")
    ap.add_argument("--note", action="append", default=[], help="a note for --write")
    args = ap.parse_args()
    if args.json:
        Path(args.json).write_text(json.dumps(measure(args), indent=2))
    if args.write:
        res = json.loads(Path(args.write).read_text())
        res["notes"] = list(res.get("notes", [])) + args.note
        from train_vs_torcheeg import write_section

        sec = section(res)
        write_section("train-gpu", sec, RESULTS)
        print(sec)


if __name__ == "__main__":
    main()
