"""``eegemo train-generator``, ``eegemo generate`` and ``eegemo synth-eval``: synthetic EEG from the shell."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import argparse

_MODELS = ("dense-gan", "wgan-4d", "wgan-raw", "ddpm")


def add_parser(sub: argparse._SubParsersAction) -> None:
    t = sub.add_parser(
        "train-generator", help="train a conditional generator of emotional EEG on a store",
        description="Train a generator on the training trials of a store (the test trials of the "
                    "hold-out protocol are kept unseen for synth-eval) and write a run folder with "
                    "config.json, history.json and a weights-only generator.pt.")
    t.add_argument("store", type=Path, help="store folder written by `eegemo prepare`")
    t.add_argument("--model", "-m", required=True, choices=_MODELS)
    t.add_argument("--out", "-o", type=Path, required=True, help="run folder to write")
    t.add_argument("--epochs", type=int, help="training epochs (default: the model's)")
    t.add_argument("--array", help="store array (default de_grid for dense-gan/wgan-4d, raw for "
                                   "wgan-raw/ddpm)")
    t.add_argument("--param", action="append", metavar="KEY=VALUE",
                   help="generator parameter, repeatable (e.g. --param width=32)")
    t.add_argument("--holdout", default="seed-standard",
                   choices=("seed-standard", "trial-kfold", "none"),
                   help="protocol whose test trials the generator never sees (default seed-standard)")
    t.add_argument("--condition-subject", action="store_true", help="also condition on the subject")
    t.add_argument("--seed", type=int, default=0, help="random_state")
    t.add_argument("--device", default="auto", choices=("auto", "cpu", "cuda"))
    t.add_argument("--overwrite", action="store_true", help="replace an existing run folder")
    t.set_defaults(func=_train)

    g = sub.add_parser(
        "generate", help="sample synthetic windows of one emotion from a generator run",
        description="Write N synthetic windows of one emotion: .npy (store units), .fif (MNE Raw; "
                    "a name ending in -epo.fif writes Epochs; .fif.gz compresses) or .edf, with channel "
                    "names and rate for MNE and EEGLAB, and the montage in FIF (FIF/EDF need a "
                    "raw-window generator).")
    g.add_argument("run", type=Path, help="run folder written by `eegemo train-generator`")
    g.add_argument("--emotion", "-e", required=True, help="label name (e.g. positive) or value")
    g.add_argument("--n", type=int, default=100, help="number of windows, at least 1 (default 100)")
    g.add_argument("--out", "-o", type=Path, required=True, help="file: .npy, .fif, -epo.fif, .fif.gz or .edf")
    g.add_argument("--subject", help="subject (runs trained with --condition-subject; default: "
                                      "a mix over the training subjects)")
    g.add_argument("--seed", type=int, default=0,
                   help="random_state of the draw (default 0; the same seed, emotion and subject "
                        "give the same windows, and each emotion draws its own noise)")
    g.add_argument("--device", choices=("auto", "cpu", "cuda"))
    g.set_defaults(func=_generate)

    e = sub.add_parser(
        "synth-eval", help="realism and usefulness metrics of a generator run",
        description="Compare a run's synthetic windows with the store's held-out real windows: "
                    "C2ST, log-PSD distance, topography correlation, Fréchet distance, TSTR vs TRTR, "
                    "augmentation gain per subject and diversity, written as JSON.")
    e.add_argument("run", type=Path, help="run folder written by `eegemo train-generator`")
    e.add_argument("store", type=Path, help="the store the run was trained on")
    e.add_argument("--out", "-o", type=Path,
                   help="JSON file to write (default RUN/synth_eval.json, where eegemo info and "
                        "eegemo report look for it)")
    e.add_argument("--model", default="logreg", help="recogniser of TSTR/TRTR and augmentation")
    e.add_argument("--fid-model", help="recogniser for the Fréchet features (default ccnn for grids, "
                                       "eegnet for raw windows)")
    e.add_argument("--no-augmentation", action="store_true", help="skip the augmentation gain")
    e.add_argument("--aug-ratio", type=float, default=1.0,
                   help="synthetic windows added per real training window (default 1)")
    e.add_argument("--seed", type=int, default=0)
    e.add_argument("--device", choices=("auto", "cpu", "cuda"))
    e.set_defaults(func=_synth_eval)


def _train(args) -> int:
    from ..evaluation.generation import train_generator
    from ._options import parse_params

    out = train_generator(args.store, args.model, args.out, epochs=args.epochs, array=args.array,
                          params=parse_params(args.param), holdout=args.holdout,
                          condition_subject=args.condition_subject, random_state=args.seed,
                          device=args.device, overwrite=args.overwrite, verbose=True)
    cfg = json.loads((out / "config.json").read_text())
    hist = json.loads((out / "history.json").read_text())
    last = {k: round(v, 4) for k, v in (hist[-1] if hist else {}).items()
            if k not in ("epoch", "seconds")}
    sim = " [simulated data]" if cfg.get("simulated") else ""
    print(f"{cfg['model']} on {cfg['array']} {tuple(cfg['input_shape'])}: {cfg['n_train']} training "
          f"rows, {cfg['epochs']} epochs in {cfg['fit_seconds']:.1f} s on {cfg['device']}; last "
          f"epoch {last}{sim}")
    print(f"run: {out}")
    return 0


def _generate(args) -> int:
    from ..evaluation.generation import generate

    emotion = int(args.emotion) if args.emotion.lstrip("-").isdigit() else args.emotion
    out = generate(args.run, emotion, args.n, args.out, random_state=args.seed,
                   subject=args.subject, device=args.device)
    print(f"file: {out}")   # what was written is logged by generate()
    return 0


def _synth_eval(args) -> int:
    from ..evaluation.generation import synth_eval

    if args.out is None:   # into the run folder, once it is one (else the run is what is wrong)
        from ..evaluation.generation import read_config

        read_config(args.run)
        args.out = args.run / "synth_eval.json"
    res = synth_eval(args.run, args.store, args.out, model=args.model, fid_model=args.fid_model,
                     augmentation=not args.no_augmentation, aug_ratio=args.aug_ratio,
                     random_state=args.seed, device=args.device)
    aug = res.get("augmentation_gain")
    aug_txt = (f"{aug['mean']:+.3f} ± {aug['std']:.3f} over {aug['n_subjects']} subject(s)"
               if aug else "not computed")
    if aug and aug.get("gain_over_control"):
        aug_txt += (f", {aug['gain_over_control']['mean']:+.3f} ± "
                    f"{aug['gain_over_control']['std']:.3f} over real rows of the generator's "
                    f"other training trials")
    sim = " [simulated data]" if res.get("simulated") else ""

    def floor(key):
        v = res.get(key)
        return "" if v is None else f" (real floor: {v:.3f})"

    nonlinear = ("" if res.get("c2st_nonlinear") is None else
                 f" | boosted-trees C2ST {res['c2st_nonlinear']:.3f}"
                 f"{floor('c2st_nonlinear_real_floor')}")
    print(f"C2ST {res['c2st']:.3f}{floor('c2st_real_floor')} (0.5 = indistinguishable){nonlinear} | PSD "
          f"distance {res['psd_distance']:.3f} dB{floor('psd_distance_real_floor')} | "
          f"topography r {res['topomap_correlation']['mean']:.3f} | "
          f"FID {res['fid']:.3g} | TSTR {res['tstr']:.3f} vs TRTR {res['trtr']:.3f} | "
          f"diversity {res['diversity']:.3f} | augmentation gain {aug_txt}{sim}")
    if res.get("psd_distance_note"):
        print(f"note: {res['psd_distance_note']}")
    print(f"metrics: {args.out}")
    return 0
