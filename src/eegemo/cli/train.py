"""``eegemo train``, ``eegemo evaluate`` and ``eegemo predict``: recognition runs from the shell."""

from __future__ import annotations

import argparse
from pathlib import Path

from ._options import add_reader_options, parse_params, reader_options

_PROTOCOLS = ("seed-standard", "trial-kfold", "cross-session", "loso")


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "train", help="train and test a recognition model under an evaluation protocol",
        description="Fit a model on a prepared store under a leakage-safe protocol (splits of whole "
                    "trials, normalisation fitted on training rows) and write a run folder with "
                    "metrics.json, per_subject.csv, predictions.parquet and checkpoints/.")
    p.add_argument("store", type=Path, help="store folder written by `eegemo prepare`")
    p.add_argument("--model", "-m", required=True,
                   help="model name: svm, logreg, seed-cnn, ccnn, attention-4d, image-cnn, eegnet")
    p.add_argument("--protocol", "-p", required=True, choices=_PROTOCOLS)
    p.add_argument("--out", "-o", type=Path, required=True, help="run folder to write")
    p.add_argument("--array", help="store array to read (default: from the model's input)")
    p.add_argument("--param", action="append", metavar="KEY=VALUE",
                   help="model parameter, repeatable (e.g. --param lr=0.0005)")
    p.add_argument("--epochs", type=int, help="max_epochs of torch models")
    p.add_argument("--normalize", default="auto",
                   choices=("auto", "subject", "session", "global", "none"),
                   help="z-scoring fitted on training rows (default auto: global under loso, where "
                        "the test subject has no training statistics, per subject otherwise; with "
                        "--transductive, per session under cross-session, per subject otherwise)")
    p.add_argument("--transductive", action="store_true",
                   help="z-score test subjects (sessions) unseen in training with their own "
                        "statistics, from their features, never labels (reported as transductive; "
                        "needs --normalize auto, subject or session)")
    p.add_argument("--n-folds", type=int, default=5,
                   help="folds per subject for trial-kfold (default 5)")
    p.add_argument("--val-fraction", type=float, default=0.2,
                   help="training trials held out for early stopping (torch models; default 0.2)")
    p.add_argument("--train-trials", type=int,
                   help="seed-standard: training trials per session (default 9 SEED and SEED "
                        "Multimodal Chinese, 16 SEED-IV, 12 SEED-GER and SEED-FRA, 60 %% "
                        "otherwise; SEED-V: 3 folds by trial blocks unless set)")
    p.add_argument("--test-session", type=int, metavar="N",
                   help="cross-session: test on session N only (3: sessions 1 + 2 train, 3 tests; "
                        "default: each session in turn)")
    p.add_argument("--subjects", metavar="S,S",
                   help="evaluate on these subjects of the store only (comma-separated; the "
                        "protocol sees nothing else)")
    p.add_argument("--sessions", metavar="N,N",
                   help="evaluate on these sessions of the store only (e.g. --protocol loso "
                        "--sessions 1: leave-one-subject-out on the first session)")
    p.add_argument("--seq-len", type=int, help="windows per sequence for attention-4d")
    p.add_argument("--jobs", "-j", type=int, default=1, help="folds in parallel (process pool)")
    p.add_argument("--scheduler", help="Dask scheduler address: run folds on the cluster")
    p.add_argument("--seed", type=int, default=0,
                   help="random_state of splits and models (default 0)")
    p.add_argument("--device", default="auto", choices=("cpu", "cuda", "auto"))
    p.add_argument("--amp", action="store_true",
                   help="mixed precision (bfloat16 on the CPU, bf16/fp16 on CUDA)")
    p.add_argument("--fit-final", action="store_true",
                   help="also fit one model on all data for `eegemo predict`")
    p.add_argument("--overwrite", action="store_true", help="replace an earlier run in --out")
    p.set_defaults(func=_train)

    e = sub.add_parser("evaluate", help="recompute and print a run's metrics from its predictions",
                       description="Recompute accuracy, balanced accuracy, macro-F1 and Cohen's kappa "
                                   "per subject (mean ± std over subjects) from predictions.parquet.")
    e.add_argument("run", type=Path, help="run folder written by `eegemo train`")
    e.add_argument("--json", action="store_true", help="print the metrics as JSON")
    e.set_defaults(func=_evaluate)

    r = sub.add_parser("predict", help="per-window emotion probabilities for a recording",
                       description="Read a recording, compute the run's features, apply its "
                                   "normaliser and model(s), and write one row per window.")
    r.add_argument("run", type=Path, help="run folder written by `eegemo train`")
    r.add_argument("file", type=Path,
                   help="recording, or a folder of recordings (any format eegemo reads)")
    r.add_argument("--subjects", metavar="S,S",
                   help="read these subjects of a folder only (comma-separated)")
    r.add_argument("--sessions", metavar="N,N",
                   help="read these sessions of a folder only (e.g. eegmmidb runs 4,8,12)")
    r.add_argument("--out", "-o", type=Path, default=Path("probs.csv"),
                   help="CSV to write (default probs.csv; replaced if it exists)")
    r.add_argument("--dataset", help="reader to use (default: detected)")
    r.add_argument("--fold", help="use this fold's model, or 'final' (default: the final model, "
                                  "else all folds; under a within-subject protocol a subject the "
                                  "run knows is scored by its own folds' models only)")
    r.add_argument("--device", default="auto", choices=("cpu", "cuda", "auto"))
    r.add_argument("--unlabelled", action="store_true",
                   help="generic recordings: predict the whole file as one unlabelled trial, even "
                        "where it holds the training labels' events (a file without them is read "
                        "whole anyway)")
    r.add_argument("--transductive", action=argparse.BooleanOptionalAction, default=None,
                   help="z-score a subject the run never saw with the file's own statistics rather "
                        "than the pooled training ones (default: as the run was trained)")
    add_reader_options(r)
    r.set_defaults(func=_predict)


def _listed(flag: str, value: str | None) -> list[str] | None:
    if value is None:
        return None
    items = [v.strip() for v in value.split(",") if v.strip()]
    if not items:
        from ..errors import ConfigurationError

        raise ConfigurationError(f"{flag}: selects nothing (expected comma-separated values, "
                                 f"found {value!r})")
    return items


def _train(args) -> int:
    from ..evaluation import format_metrics, run

    from ..errors import ConfigurationError
    from ..models import list_models, model_class

    params = parse_params(args.param)
    flags = {"max_epochs": ("--epochs", args.epochs), "amp": ("--amp", True if args.amp else None)}
    for key, (flag, value) in flags.items():
        if value is None:
            continue
        if args.model in list_models() and key not in model_class(args.model)().get_params():
            raise ConfigurationError(f"{flag}: model {args.model} is not a torch network (expected "
                                     f"{flag} only for torch models such as ccnn or eegnet)")
        params[key] = value
    metrics = run(args.store, args.model, args.protocol, args.out, array=args.array,
                  model_params=params, normalize=None if args.normalize == "none" else args.normalize,
                  transductive=args.transductive,
                  seq_len=args.seq_len, jobs=args.jobs, scheduler=args.scheduler,
                  random_state=args.seed, device=args.device, n_folds=args.n_folds,
                  val_fraction=args.val_fraction, train_trials=args.train_trials,
                  test_session=args.test_session, subjects=_listed("--subjects", args.subjects),
                  sessions=_listed("--sessions", args.sessions), fit_final=args.fit_final,
                  overwrite=args.overwrite)
    print(format_metrics(metrics))
    print(f"run folder: {args.out.resolve()}")
    return 0


def _evaluate(args) -> int:
    import json

    from ..evaluation import evaluate, format_metrics

    metrics = evaluate(args.run)
    if args.json:
        print(json.dumps({k: metrics[k] for k in ("summary", "per_subject", "per_fold", "protocol",
                                                  "consistent")}, indent=2, default=str))
    else:
        print(format_metrics(metrics))
        if not metrics["consistent"]:
            print("warning: these differ from the run's metrics.json")
    return 0


#: first columns of the table ``eegemo predict`` writes
_PREDICT_HEADER = "recording,subject,session,"


def _check_not_foreign_table(out) -> None:
    """Refuse to replace an existing CSV that is not an earlier ``predict`` table (a Bird table,
    a user's notes): re-running predict into its own output stays possible."""
    from pathlib import Path

    from ..errors import ConfigurationError

    p = Path(out)
    try:   # only a plain, non-empty .csv (not a compressed table, /dev/stdout or an empty file)
        if p.suffix.lower() != ".csv" or not p.is_file() or p.stat().st_size == 0:
            return
        with open(p, encoding="utf-8", errors="replace") as f:
            head = f.readline()
    except OSError:
        return   # unreadable: writing it will say why
    if not head.startswith(_PREDICT_HEADER):
        raise ConfigurationError(f"{out}: exists and is not a table eegemo predict wrote (its "
                                 f"first line starts {head[:40].strip()!r}); choose another "
                                 f"output name")


def _predict(args) -> int:
    from ..errors import check_output_file
    from ..evaluation import predict

    check_output_file(args.out, inputs=[args.file])
    _check_not_foreign_table(args.out)
    options = reader_options(args)
    if args.unlabelled:
        options["unlabelled"] = True
    for key in ("subjects", "sessions"):
        chosen = _listed(f"--{key}", getattr(args, key))
        if chosen is not None:
            options[key] = chosen
    probs = predict(args.run, args.file, dataset=args.dataset, fold=args.fold, device=args.device,
                    transductive=args.transductive, **options)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    probs.to_csv(args.out, index=False)
    counts = probs["pred_name"].value_counts()
    print(f"{len(probs)} window(s) from {args.file}: " +
          ", ".join(f"{k} {v}" for k, v in counts.items()))
    print(f"probabilities: {args.out.resolve()}")
    return 0
