"""Issue #5 targets for the generators, measured and written to benchmarks/RESULTS.md.

1. Simulated SEED (3 subjects, 1 session, trials scaled to 10 % of their published length) →
   store with DE grids → ``wgan-4d`` and ``dense-gan`` trained on the seed-standard training trials
   → ``synth_eval`` on the held-out test trials: C2ST (target ≤ 0.70 for wgan-4d), PSD-distance ratio
   wgan-4d / dense-gan (target ≤ 1/5), TSTR ≥ 0.8 × TRTR.
2. Real EEG: PhysioNet eegmmidb subject S001, left/right-fist runs 3, 4, 7, 8, 11, 12, trials
   labelled T0 (rest) / T1 / T2, 1-s raw windows (64 × 160) → ``wgan-raw`` and ``ddpm`` → C2ST on log
   band powers (target ≤ 0.75) and augmentation gain with its spread.
3. CPU training time of every generator (wall and process CPU seconds).

Usage::

    python benchmarks/generation_targets.py [--quick] [--only seed|eegmmidb] [--no-write]

Results go to ``benchmarks/_work/generation/results.json`` and the ``generation`` section of
``benchmarks/RESULTS.md`` (only that section is replaced).

On a CUDA machine, ``--device cuda --profile gpu`` trains the longer / wider configurations of
:data:`SETTINGS_GPU` (``--configs`` picks some, ``--budget-s`` caps each one's training time by
calibrating the epochs on a 5-epoch fit, ``--reuse-stores`` reuses stores prepared here and carried
there, ``--results`` names the JSON); ``--merge A.json B.json ...`` then writes the
``generation-gpu`` section from such JSON files.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
WORK = HERE / "_work" / "generation"
EEGMMIDB = HERE.parents[1] / "shared" / "data" / "eegmmidb"
RESULTS = HERE / "RESULTS.md"

#: generator settings used here (CPU-sized)
SETTINGS = {
    "wgan-4d": dict(epochs=400, condition_subject=True,
                    params=dict(width=32, latent_dim=64, lr=1e-3, batch_size=64)),
    "dense-gan": dict(epochs=100, condition_subject=True, params=dict(lr=2e-4, batch_size=64)),
    "wgan-raw": dict(epochs=200, condition_subject=False,
                     params=dict(width=16, latent_dim=64, lr=5e-4, batch_size=32)),
    "ddpm": dict(epochs=150, condition_subject=False,
                 params=dict(width=16, timesteps=1000, sample_steps=50, lr=1e-3, batch_size=32)),
}


#: longer / wider configurations for a GPU (``--profile gpu``): name -> settings (+ "model")
SETTINGS_GPU = {
    "wgan-4d": dict(SETTINGS["wgan-4d"], epochs=2000),
    "wgan-4d-w64": dict(SETTINGS["wgan-4d"], epochs=2000,
                        params=dict(width=64, latent_dim=64, lr=1e-3, batch_size=64), model="wgan-4d"),
    "dense-gan": dict(SETTINGS["dense-gan"]),
    "wgan-raw": dict(SETTINGS["wgan-raw"], epochs=1500),
    "wgan-raw-w32": dict(SETTINGS["wgan-raw"], epochs=1500,
                         params=dict(width=32, latent_dim=64, lr=5e-4, batch_size=32),
                         model="wgan-raw"),
    "ddpm": dict(SETTINGS["ddpm"], epochs=1500),
    "ddpm-w64": dict(SETTINGS["ddpm"], epochs=1500,
                     params=dict(width=64, timesteps=1000, sample_steps=50, lr=5e-4, batch_size=32),
                     model="ddpm"),
}
PARTS = {"seed": ("wgan-4d", "dense-gan"), "eegmmidb": ("wgan-raw", "ddpm")}

#: stated with every result: how the settings above were chosen
NOTES = [
    "Since 2026-12-06 (evening) the real floor stands real training windows drawn like the "
    "samples in their place; the previous run (training trials as they were) gave floors wgan-4d "
    "C2ST 0.422 / boosted 0.400 / PSD 0.17 dB, eegmmidb 0.544 / 0.567 / 0.24 dB. Since "
    "2026-12-06 the noise of a draw depends on its emotion and subject as well as its seed, so "
    "samples (and every synthetic figure) differ from earlier runs by sampling noise.",
    "Since 2026-12-06 C2ST folds are whole trials. Before, they were windows: a classifier tested "
    "on windows of trials it had trained on recognised the trials, which inflated C2ST and its "
    "real floor (two random halves of the same real trials scored about 0.67 instead of 0.5). The "
    "run of 2026-12-04 with window-level folds: wgan-4d 0.685 (floor 0.609), dense-gan 0.999, "
    "wgan-raw 0.743 (0.585), ddpm 0.682 (0.585); boosted 0.840 (0.783), 0.999, 0.924 (0.587), "
    "0.967 (0.587). Every C2ST figure in the notes below and in the generation-gpu section is "
    "window-level. The DE generators' TSTR and PSD distance also moved from that run (wgan-4d "
    "0.793 → 0.832, dense-gan 0.314 → 0.479) with code changes since; not traced.",
    "Condition moments (`condition_mean` of wgan-4d, `condition_spectrum` of wgan-raw and ddpm, "
    "both on by default since 2026-12-04) were added after a diagnostic on the simulated store "
    "above: moving a 23-epoch wgan-4d's samples to the training mean of their condition lowered "
    "its C2ST from 0.91 to 0.66, i.e. the linear C2ST mostly saw first moments. No separate "
    "tuning set was used. The previous run, without condition moments and otherwise the same: "
    "wgan-4d C2ST 0.778 (PSD 0.356 dB), wgan-raw 1.000 (1.464 dB), ddpm 0.920 (1.873 dB). Because "
    "the linear C2ST of the issue mostly tests first moments, which condition moments set by "
    "construction, the boosted C2ST is reported beside it.",
    "Settings were chosen in short exploratory runs on these same stores (no separate tuning set): "
    "wgan-4d 100/400/1000 epochs (C2ST 0.84/0.78/0.77); ddpm 40/150/300 epochs (PSD distance "
    "2.3/–/1.7 dB with spectral whitening, C2ST 0.88/–/0.98); wgan-raw 40 vs 200 epochs (PSD "
    "distance 3.9 vs 1.5 dB, C2ST 1.00 both). Spectral whitening (the default of the raw-window "
    "generators) halved the raw generators' PSD distance at 40 epochs (ddpm 4.3 → 2.3 dB, wgan-raw "
    "8.4 → 3.9 dB).",
]


def _train_eval(store, name: str, quick: bool, fid_model=None, *, settings=None,
                device: str = "cpu", budget_s: float | None = None) -> dict:
    from eegemo.evaluation.generation import synth_eval, train_generator

    s = (settings or SETTINGS)[name]
    model = s.get("model", name)
    epochs = max(3, s["epochs"] // 10) if quick else s["epochs"]
    run = WORK / (f"run-{Path(store.path).name}-{name}" + ("" if device == "cpu" else f"-{device}"))
    calibration = None
    if budget_s:  # cap the epochs so that training fits the budget: after a warm-up fit (CUDA
        took = {}  # context, kernel selection), the time of an 8-epoch fit minus a 2-epoch fit
        for n in (1, 2, 8):
            t0 = time.perf_counter()
            train_generator(store, model, run, epochs=n, params=s["params"], device=device,
                            condition_subject=s["condition_subject"], overwrite=True,
                            verbose=False, random_state=0)
            took[n] = time.perf_counter() - t0
        per_epoch = max((took[8] - took[2]) / 6, 1e-3)
        calibration = dict(seconds_per_epoch=per_epoch, budget_s=budget_s, planned=epochs)
        epochs = max(8, min(epochs, int(budget_s / per_epoch)))
    w0, c0 = time.perf_counter(), time.process_time()
    train_generator(store, model, run, epochs=epochs, params=s["params"], device=device,
                    condition_subject=s["condition_subject"], overwrite=True, verbose=False,
                    random_state=0)
    wall, cpu = time.perf_counter() - w0, time.process_time() - c0
    res = synth_eval(run, store, run / "synth_eval.json", fid_model=fid_model, random_state=0,
                     device=device)
    cfg = res["config"]
    out = {k: res[k] for k in ("c2st", "c2st_real_floor", "c2st_nonlinear",
                               "c2st_nonlinear_real_floor", "psd_distance", "psd_distance_real_floor",
                               "fid", "tstr", "trtr", "tstr_trtr_ratio",
                               "diversity", "simulated", "n_real", "fid_features", "features")}
    out["topomap_correlation"] = res["topomap_correlation"]["mean"]
    aug = res["augmentation_gain"]
    out["augmentation_gain"] = None if aug is None else {
        k: aug.get(k) for k in ("mean", "std", "std_folds", "per_subject", "baseline_mean",
                                "augmented_mean", "n_subjects", "n_folds", "control_mean",
                                "gain_over_control")}
    out["augmentation_folds"] = None if aug is None else [
        {k: f[k] for k in ("fold", "baseline", "augmented", "gain")} for f in aug["per_fold"]]
    out.update(model=model, config=name, epochs=epochs, n_train=cfg["n_train"],
               input_shape=cfg["input_shape"], train_wall_s=wall, train_cpu_s=cpu, params=s["params"],
               condition_subject=s["condition_subject"], device=device, calibration=calibration)
    hist = json.loads((run / "history.json").read_text())
    out["history_first_last"] = [hist[0], hist[-1]]
    print(f"  {name}: C2ST {out['c2st']:.3f}  PSD {out['psd_distance']:.3f} dB  "
          f"TSTR {out['tstr']:.3f} / TRTR {out['trtr']:.3f}  topo r {out['topomap_correlation']:.3f}"
          f"  div {out['diversity']:.2f}  aug {aug and round(aug['mean'], 3)}  "
          f"train {wall:.0f} s wall / {cpu:.0f} s CPU", flush=True)
    return out


def _configs(part: str, settings: dict, configs) -> list[str]:
    """The configurations of ``settings`` whose generator belongs to ``part`` (all, or those named)."""
    names = [n for n, s in settings.items() if s.get("model", n) in PARTS[part]]
    return names if not configs else [n for n in names if n in configs]


def seed_part(quick: bool, *, settings=None, configs=None, device="cpu", budget_s=None,
              reuse=False) -> dict:
    from eegemo.datasets.simulate import simulate
    from eegemo.store import open_store, prepare

    scale = 0.03 if quick else 0.1
    if reuse and (WORK / "store-seed").is_dir():
        store = open_store(WORK / "store-seed")
    else:
        src = simulate("seed", WORK / "sim-seed", subjects=3, sessions=1, duration_scale=scale,
                       features=False, random_state=0, overwrite=True)
        store = prepare(src, WORK / "store-seed", features=("de",), kind="raw", jobs=1,
                        overwrite=True)
    print(f"simulated SEED store: {len(store)} windows, arrays {store.arrays}", flush=True)
    out = {"store": {"windows": len(store), "duration_scale": scale, "subjects": 3, "sessions": 1}}
    for name in _configs("seed", settings or SETTINGS, configs):
        out[name] = _train_eval(store, name, quick, settings=settings, device=device,
                                budget_s=budget_s)
    return out


def eegmmidb_part(quick: bool, *, settings=None, configs=None, device="cpu", budget_s=None,
                  reuse=False) -> dict:
    from eegemo.store import open_store, prepare

    if reuse and (WORK / "store-eegmmidb").is_dir():
        store = open_store(WORK / "store-eegmmidb")
    else:
        from eegemo.datasets.generic import read_eegmmidb

        if not EEGMMIDB.is_dir():
            print(f"{EEGMMIDB} absent: skipping the real-EEG part")
            return {}
        recs = read_eegmmidb(EEGMMIDB, runs=(3, 4, 7, 8, 11, 12), labels=("T0", "T1", "T2"))
        store = prepare(recs, WORK / "store-eegmmidb", features=("de", "raw"), grid=None, jobs=1,
                        overwrite=True)
    print(f"eegmmidb store: {len(store)} windows, arrays {store.arrays}, {store.label_names}",
          flush=True)
    out = {"store": {"windows": len(store), "runs": [3, 4, 7, 8, 11, 12],
                     "label_names": {str(k): v for k, v in store.label_names.items()}}}
    for name in _configs("eegmmidb", settings or SETTINGS, configs):
        out[name] = _train_eval(store, name, quick, fid_model="features", settings=settings,
                                device=device, budget_s=budget_s)
    return out


def _fmt_pair(r: dict, key: str) -> str:
    """``value (real floor)``, or – for results measured before the key existed."""
    if r.get(key) is None:
        return "–"
    return f"{r[key]:.3f} ({r[key + '_real_floor']:.3f})"


def _fmt_aug(a) -> str:
    if not a:
        return "–"
    spread = (f"± {a['std']:.3f} over {a['n_subjects']} subjects" if a["n_subjects"] > 1
              else f"± {a['std_folds']:.3f} over {a['n_folds']} folds (1 subject)")
    over = a.get("gain_over_control")
    ctl = "" if not over else (f"; over real control rows {over['mean']:+.3f} ± "
                               f"{over['std'] if a['n_subjects'] > 1 else over['std_folds']:.3f}")
    return f"{a['mean']:+.3f} {spread}{ctl}"


def _section(res: dict) -> tuple[str, str]:
    """The RESULTS.md tag (``generation`` or ``generation-gpu``) and the section's text."""
    gpu = res.get("device", "cpu") != "cpu"
    tag = "generation-gpu" if gpu else "generation"
    lines = []
    if gpu:
        lines += ["## Generation on a GPU: issue #5 targets with longer training "
                  "(benchmarks/generation_targets.py --device cuda --profile gpu)", ""]
        lines.append(f"Machine: {res.get('gpu_name', 'a CUDA GPU')}, torch {res.get('torch', '?')}; "
                     f"{res['date']}. The configurations below ran *concurrently* on the one GPU "
                     "(one process each), so their wall times are upper bounds of a lone run. Each "
                     "configuration's epochs were capped so that its training fitted a time budget "
                     "(epochs = min(planned, budget / seconds per epoch, timed after a warm-up fit "
                     "as an 8-epoch fit minus a 2-epoch fit)). Same "
                     "stores, protocol and metrics as the CPU section above.")
    else:
        lines += ["## Generation: issue #5 targets (benchmarks/generation_targets.py)", ""]
        lines.append(f"Machine: {platform.machine()}, {os.cpu_count()} cores shared with other jobs "
                     f"(load average {res['load']:.1f} at the start), Python "
                     f"{platform.python_version()}, CPU only, torch threads {res['threads']}; "
                     f"{res['date']}" + (" — **quick mode (few epochs), not the reported "
                                         "configuration**" if res["quick"] else "") + ".")
    lines.append("Every generator is trained on the *training* trials of the seed-standard protocol "
                 "(first 60 % of trials per session for non-SEED data) and judged on the held-out "
                 "test trials it never saw. C2ST: logistic regression, 5-fold CV with folds of "
                 "whole trials (a synthetic window goes with the trial of the real window it was "
                 "drawn like), balanced sets (0.5 = indistinguishable); boosted C2ST: the same with gradient-boosted trees (200 "
                 "iterations), which also sees differences of spread and interactions. PSD "
                 "distance: mean |Δ mean log band power| per channel and band, dB. TSTR/TRTR: logistic regression on the same features, tested on the "
                 "held-out real trials. Augmentation: the same recogniser with and without as many "
                 "synthetic windows as real training windows, per fold, test = real trials only; "
                 "'over real control rows': augmented minus the same recogniser given as many "
                 "real windows of the generator's other training trials (other subjects or "
                 "sessions, same labels) in the synthetic ones' place, i.e. what the synthetic "
                 "windows add beyond pooling the real data the generator learnt from. "
                 "Real floor: the same measure with real windows of the generator's training "
                 "trials in the synthetic ones' place, drawn with the held-out windows' emotions "
                 "(and subjects, for subject-conditioned generators) and grouped like them, i.e. "
                 "what a generator that reproduced its training data would score (since "
                 "2026-12-06 evening; before, the training trials as they were, whose other "
                 "emotion mix and subjects put the floor below what real data score).")
    lines.append("")
    header = ("| data | generator | " + ("configuration | " if gpu else "") + "epochs | "
              "train wall s | train CPU s | C2ST (real floor) | boosted C2ST (real floor) | "
              "PSD dist. dB (real floor) | topo r | TSTR | TRTR | TSTR/TRTR | diversity | "
              "augmentation gain |")
    lines += [header, "|" + "---|" * (3 if gpu else 2) + "---:|" * 11 + "---|"]
    for part, label in (("seed", "simulated SEED, DE grid 5×9×9"),
                        ("eegmmidb", "eegmmidb S001 raw 64×160, T0/T1/T2")):
        for name, r in res.get(part, {}).items():
            if name == "store":
                continue
            cfg = (f"{name}: width {r['params'].get('width', '–')}, lr {r['params']['lr']} | "
                   if gpu else "")
            lines.append(f"| {label} | {r.get('model', name)} | {cfg}{r['epochs']} | "
                         f"{r['train_wall_s']:.0f} | "
                         f"{r['train_cpu_s']:.0f} | {r['c2st']:.3f} ({r['c2st_real_floor']:.3f}) | "
                         f"{_fmt_pair(r, 'c2st_nonlinear')} | "
                         f"{r['psd_distance']:.3f} ({r['psd_distance_real_floor']:.3f}) | "
                         f"{r['topomap_correlation']:.3f} | {r['tstr']:.3f} | {r['trtr']:.3f} | "
                         f"{r['tstr_trtr_ratio']:.2f} | {r['diversity']:.2f} | "
                         f"{_fmt_aug(r['augmentation_gain'])} |")
    lines.append("")
    lines.append("Targets" + (" (every configuration is listed; none was picked after seeing its "
                              "score, and a best-of-N would be optimistic):" if gpu else ":"))
    seed = res.get("seed", {})
    dense = seed.get("dense-gan")
    for name, w in seed.items():
        if name == "store" or w.get("model", name) != "wgan-4d":
            continue
        lines.append(f"- simulated SEED, C2ST of {name} ≤ 0.70: {w['c2st']:.3f} → "
                     f"{'met' if w['c2st'] <= 0.70 else 'NOT met'}.")
        if dense:
            ratio = w["psd_distance"] / dense["psd_distance"] if dense["psd_distance"] else float("nan")
            lines.append(f"- PSD distance {name} / dense-gan ≤ 0.2: {w['psd_distance']:.3f} / "
                         f"{dense['psd_distance']:.3f} = {ratio:.3f} → "
                         f"{'met' if ratio <= 0.2 else 'NOT met'}.")
        lines.append(f"- TSTR ≥ 0.8 × TRTR ({name}): {w['tstr']:.3f} vs 0.8 × {w['trtr']:.3f} = "
                     f"{0.8 * w['trtr']:.3f} → {'met' if w['tstr'] >= 0.8 * w['trtr'] else 'NOT met'}"
                     + (f" (dense-gan: {dense['tstr']:.3f})." if dense else "."))
    if seed:
        lines.append(f"- Store: {seed['store']['windows']} windows (3 simulated subjects, 1 session, "
                     f"trials at {seed['store']['duration_scale']:.0%} of the published length). "
                     f"Simulated data prove the pipeline, not realism.")
    mm = res.get("eegmmidb", {})
    for name, r in mm.items():
        if name == "store":
            continue
        lines.append(f"- eegmmidb, C2ST of {name} ≤ 0.75: {r['c2st']:.3f} → "
                     f"{'met' if r['c2st'] <= 0.75 else 'NOT met'} (features: log band power "
                     f"per channel and band); augmentation gain {_fmt_aug(r['augmentation_gain'])}.")
    if mm:
        lines.append(f"- Store: {mm['store']['windows']} windows of 1 s from runs 3, 4, 7, 8, 11, 12 "
                     "(T0 rest, T1 left fist, T2 right fist, real and imagined). One subject, so the "
                     "augmentation spread is over folds (sessions = runs), not subjects.")
    lines += [f"- {n}" for n in (NOTES if not gpu else []) + list(res.get("notes") or [])]
    return tag, "\n".join(lines) + "\n"


def _publish(res: dict, write: bool) -> None:
    """Print the section and, unless ``write`` is False, put it into RESULTS.md."""
    from train_vs_torcheeg import write_section

    tag, body = _section(res)
    if write:
        write_section(tag, body, RESULTS)
    print(body)


def _merge(paths) -> dict:
    """One GPU result from the JSON files of several ``--results`` runs (one per configuration)."""
    res: dict = {}
    for p in paths:
        r = json.loads(Path(p).read_text())
        for key, value in r.items():
            if key in ("seed", "eegmmidb"):
                res.setdefault(key, {}).update(value)
            else:
                res.setdefault(key, value)
    return res


def main() -> None:
    import torch

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="few epochs and a small store (smoke run)")
    ap.add_argument("--only", choices=("seed", "eegmmidb"))
    ap.add_argument("--no-write", action="store_true", help="do not touch RESULTS.md")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--device", default="cpu", help="cpu (default) or cuda")
    ap.add_argument("--profile", choices=("cpu", "gpu"), default="cpu",
                    help="SETTINGS (cpu) or the longer SETTINGS_GPU (gpu)")
    ap.add_argument("--configs", help="comma-separated configuration names of the profile")
    ap.add_argument("--budget-s", type=float, help="cap each configuration's training seconds")
    ap.add_argument("--reuse-stores", action="store_true", help="reuse stores under _work/")
    ap.add_argument("--results", help="result JSON (default _work/generation/results.json)")
    ap.add_argument("--merge", nargs="+", help="write the GPU section from these result JSONs "
                    "(a configuration in a later file replaces the same one in an earlier file)")
    ap.add_argument("--note", action="append", default=[], help="a note for the merged section")
    args = ap.parse_args()
    if args.merge:
        res = _merge(args.merge)
        res["notes"] = list(res.get("notes") or []) + args.note
        (WORK / "results-gpu.json").parent.mkdir(parents=True, exist_ok=True)
        (WORK / "results-gpu.json").write_text(json.dumps(res, indent=2))
        _publish(res, not args.no_write)
        return
    os.environ.setdefault("EEGEMO_NO_PROGRESS", "1")
    torch.set_num_threads(args.threads)
    WORK.mkdir(parents=True, exist_ok=True)
    res_path = Path(args.results) if args.results else WORK / "results.json"
    res = json.loads(res_path.read_text()) if res_path.exists() and args.only else {}
    res.update(quick=args.quick, threads=args.threads, load=os.getloadavg()[0],
               date=time.strftime("%Y-%m-%d"), device=args.device, profile=args.profile,
               torch=torch.__version__)
    if args.device.startswith("cuda"):
        res["gpu_name"] = torch.cuda.get_device_name()
    kw = dict(settings=SETTINGS_GPU if args.profile == "gpu" else SETTINGS, device=args.device,
              configs=args.configs.split(",") if args.configs else None, budget_s=args.budget_s,
              reuse=args.reuse_stores)
    if args.only in (None, "seed"):
        res["seed"] = seed_part(args.quick, **kw)
    if args.only in (None, "eegmmidb"):
        res["eegmmidb"] = eegmmidb_part(args.quick, **kw)
    res_path.write_text(json.dumps(res, indent=2, default=lambda o: o.item()
                                   if isinstance(o, np.generic) else str(o)))
    _publish(res, not args.no_write)


if __name__ == "__main__":
    main()
