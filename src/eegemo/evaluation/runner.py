"""Run a model under an evaluation protocol on a prepared store and write a run folder.

:func:`run` splits the store's trials with :func:`eegemo.evaluation.splits.split`, checks every fold for
leakage, fits a :class:`~eegemo.preprocess.normalize.Normalizer` on the fold's training rows only, fits
the model (validation rows for early stopping are whole training trials), predicts every test window
and writes::

    RUN/metrics.json          summary (mean ± std over subjects), per_subject, per_fold, protocol,
                              model, config (enough to repeat the run), versions, simulated
    RUN/per_subject.csv       one row per subject
    RUN/predictions.parquet   one row per test window: true label, prediction, probabilities
    RUN/confusion.json        pooled confusion matrix (and one per subject)
    RUN/history.json          per fold, the model's per-epoch losses (empty for non-iterative models)
    RUN/timing.json           wall-clock times (kept out of metrics.json so repeated runs are identical)
    RUN/checkpoints/          per fold: the fitted model (weights-only) and its normaliser (JSON)

Folds run one after another, in a local process pool (``jobs > 1``) or on a Dask cluster
(``scheduler``); results do not depend on which: every fold's seeds derive from ``random_state`` and
the fold's name only.
"""

from __future__ import annotations

import json
import math
import os
import platform
import re
import time
import zlib
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .._dask import connected
from .._files import written_aside
from .._logging import logger, progress_disabled, relog, worker_warnings
from ..errors import ConfigurationError, check_parent_folders, first_line
from .metrics import (METRICS, classification_metrics, confusion, per_group, summarize,
                      summarize_folds)
from .splits import (PROTOCOLS, Fold, check_no_leakage, describe, describe_selection, select_rows,
                     split, trial_ids)

if TYPE_CHECKING:
    from distributed import Client
    from sklearn.base import BaseEstimator

    from ..datasets._family import Selection
    from ..store import Store

__all__ = ["run", "evaluate", "format_metrics", "normalize_text", "resolve_normalize",
           "ARRAY_FOR_INPUT", "load_run"]

#: The store array each model input layout reads by default.
ARRAY_FOR_INPUT = {"features": "de", "grid": "de_grid", "grid_seq": "de_grid", "image": "de_image",
                   "raw": "raw"}

_NORMALIZE = ("auto", "subject", "session", "global", None)

#: said in metrics.json, the printed table and the report of a transductive run
TRANSDUCTIVE_NOTE = ("transductive normalisation: test {scope}s unseen in training were z-scored with "
                     "their own statistics (features of the test windows, never their labels)")

#: said in metrics.json and the printed table of a run on the Bird table, whose rows have no trials
WINDOW_LEVEL_NOTE = ("the Bird table has no trial structure: each row is its own trial, so rows of "
                     "the same recording can sit on both sides of a split (window-level, optimistic "
                     "numbers)")


# -- small helpers ----------------------------------------------------------------------------------
def _other_array(input_kind: str, arrays: tuple[str, ...]) -> str | None:
    """The one array of a store that an ``input_kind`` can read when its default (DE) is absent:
    PSD instead of DE, or a released feature of another name (the Bird table's ``bird``)."""
    if input_kind in ("grid", "grid_seq", "image"):
        suffix = "_grid" if input_kind != "image" else "_image"
        found = [a for a in arrays if a.endswith(suffix)]
    elif input_kind == "features":
        found = [a for a in arrays if a != "raw" and not a.endswith(("_grid", "_image"))]
    else:
        found = []
    return found[0] if len(found) == 1 else None



def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name)


def _fold_seed(random_state: int, name: str) -> int:
    return int((int(random_state) * 1_000_003 + zlib.crc32(name.encode())) % (2 ** 31 - 1))


def _json_default(o):
    if isinstance(o, np.integer):
        return int(o)
    if isinstance(o, np.floating):
        return None if not np.isfinite(o) else float(o)
    if isinstance(o, np.ndarray):
        return o.tolist()
    if isinstance(o, (Path, os.PathLike)):
        return os.fspath(o)
    if isinstance(o, (set, tuple)):
        return list(o)
    return str(o)


def _nan_to_none(o):
    if isinstance(o, float) and not math.isfinite(o):
        return None
    if isinstance(o, dict):
        return {k: _nan_to_none(v) for k, v in o.items()}
    if isinstance(o, (list, tuple)):
        return [_nan_to_none(v) for v in o]
    return o


def _write_json(path: Path, obj) -> None:
    path.write_text(json.dumps(_nan_to_none(obj), indent=2, default=_json_default, allow_nan=False)
                    + "\n")


def _versions() -> dict:
    from importlib import metadata

    from .. import __version__

    out = {"eegemo": __version__, "python": platform.python_version(),
           "platform": platform.platform(terse=True)}
    for pkg in ("numpy", "pandas", "scikit-learn", "scipy", "torch", "zarr", "mne"):
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            pass
    return out


def _open(store):
    if isinstance(store, (str, os.PathLike)):
        from ..store import open_store

        return open_store(store)
    for attr in ("index", "load", "arrays"):
        if not hasattr(store, attr):
            raise ConfigurationError(f"run: expected a store (path or eegemo.store.Store), found "
                                     f"{type(store).__name__} without .{attr}")
    return store


def _manifest_hash(store) -> str | None:
    """SHA-256 (16 hex digits) of the store's whole manifest: configuration and recordings."""
    from ..store._store import manifest_hash

    manifest = getattr(store, "manifest", None)
    return manifest_hash(manifest) if manifest else None


def _simulated(store) -> bool:
    idx = store.index
    if "simulated" in idx.columns and bool(idx["simulated"].any()):
        return True
    manifest = getattr(store, "manifest", None) or {}
    return bool(manifest.get("simulated", False))


def _model_spec(model, params: Mapping | None):
    """A fresh unfitted estimator from a model name or an estimator instance."""
    params = dict(params or {})
    if isinstance(model, str):
        from ..models import get_model

        return get_model(model, **params)
    if not hasattr(model, "fit") or not hasattr(model, "get_params"):
        raise ConfigurationError(f"run: model must be a model name or a scikit-learn style "
                                 f"estimator, found {type(model).__name__}")
    from sklearn.base import clone

    est = clone(model)
    if params:
        est.set_params(**params)
    return est


def _model_name(model) -> str:
    if isinstance(model, str):
        return model
    return str(getattr(model, "name", "") or type(model).__name__)


def _uses_validation(est) -> bool:
    """Iterative (torch) models take validation rows for early stopping; others train on them."""
    return "max_epochs" in est.get_params(deep=False)


def _configure(est, *, random_state: int, device: str | None, n_threads: int | None,
               user_params: Mapping, sfreq: float | None = None) -> None:
    p = est.get_params(deep=False)
    upd: dict[str, Any] = {}
    if "sfreq" in p and p.get("sfreq") is None and sfreq and "sfreq" not in user_params:
        upd["sfreq"] = float(sfreq)  # raw-window models size their kernels from the rate
    if "random_state" in p:
        upd["random_state"] = random_state
    try:
        deep = est.get_params(deep=True)
    except TypeError:   # an estimator without scikit-learn's deep parameters
        deep = {}
    # nested estimators (a Pipeline's steps, a search's estimator) left unseeded get the fold's
    # seed too: a repeated run must give the same numbers, as its recorded seeds promise
    upd.update({k: random_state for k, v in deep.items()
                if k.endswith("__random_state") and v is None})
    if "device" in p and device is not None and "device" not in user_params:
        upd["device"] = device
    if "n_threads" in p and n_threads and p.get("n_threads") is None:
        upd["n_threads"] = int(n_threads)
    if upd:
        est.set_params(**upd)


def to_sequences(X: np.ndarray, tids: np.ndarray, seq_len: int) -> np.ndarray:
    """One sequence per window: the window and the ``seq_len - 1`` before it in the same trial.

    Windows near the start of a trial are left-padded by repeating the trial's first window, so every
    window gets a prediction. Uses :func:`eegemo.models.attention.windows_to_sequences` when its
    output has one sequence per window; otherwise builds the sequences here.

    Parameters
    ----------
    X : ndarray, shape (n_windows, ...)
        Windows in trial order (rows of one trial contiguous and ordered by window).
    tids : ndarray of int, shape (n_windows,)
        Trial id of each row.
    seq_len : int
        Steps per sequence.

    Returns
    -------
    seq : ndarray, shape (n_windows, seq_len, ...)
    """
    tids = np.asarray(tids)
    n = len(X)
    pos = np.arange(n)
    starts = np.zeros(n, dtype=np.int64)
    new = np.r_[True, tids[1:] != tids[:-1]] if n else np.zeros(0, bool)
    first = np.maximum.accumulate(np.where(new, pos, 0)) if n else starts
    idx = pos[:, None] - (seq_len - 1) + np.arange(seq_len)[None, :]
    idx = np.maximum(idx, first[:, None])
    return X[idx]


def _windows_to_sequences(X: np.ndarray, tids: np.ndarray, seq_len: int):
    """Whole sequences (no padding) for training: the models' helper, or the same rule here."""
    try:
        from ..models.attention import windows_to_sequences
    except ImportError:  # pragma: no cover - models not installed
        seq = to_sequences(X, tids, seq_len)
        pos = np.arange(len(X))
        new = np.r_[True, tids[1:] != tids[:-1]]
        first = np.maximum.accumulate(np.where(new, pos, 0))
        keep = pos - first >= seq_len - 1
        return seq[keep], tids[keep], pos[keep]
    return windows_to_sequences(X, tids, seq_len)


def _load_rows(store, array: str, rows: np.ndarray) -> np.ndarray:
    if len(rows) == 0:
        return np.zeros((0,), dtype=np.float32)
    return np.asarray(store.load(array, rows), dtype=np.float32)


def _groups(index: pd.DataFrame, rows: np.ndarray, scope: str | None) -> np.ndarray | None:
    """The normaliser group (subject, or ``subject/session``) of ``rows`` of a window table: a
    store's index, or the windows of a recording in :func:`eegemo.evaluation.predict` (a missing
    session is ``-1`` in both)."""
    if scope in (None, "global"):
        return None
    sub = index["subject"].astype(str).to_numpy()[rows]
    if scope == "subject":
        return sub
    ses = (index["session"].fillna(-1).astype(int).to_numpy()[rows] if "session" in index.columns
           else np.full(len(rows), -1))
    return np.char.add(np.char.add(sub.astype(str), "/"), np.asarray(ses).astype(str))


def resolve_normalize(normalize: str | None, protocol: str, transductive: bool = False) -> str | None:
    """The z-scoring scope a run uses: ``"auto"`` picks one whose test rows are scaled like the
    training rows.

    Per-subject statistics help within a subject, but under leave-one-subject-out the held-out
    subject has none: it would be scaled with the pooled training statistics while every training
    subject is scaled with its own, a mismatch that costs accuracy. ``"auto"`` therefore gives
    ``"global"`` for ``loso`` and ``"subject"`` otherwise; with ``transductive`` it gives the scope
    of the protocol's held-out unit (``"subject"`` for ``loso``, ``"session"`` for
    ``cross-session``), whose statistics then come from the test features.

    Parameters
    ----------
    normalize : {"auto", "subject", "session", "global", None}
        The requested scope.
    protocol : str
        The evaluation protocol.
    transductive : bool
        Whether test groups unseen in training get their own (unlabelled) statistics.

    Returns
    -------
    scope : {"subject", "session", "global", None}
    """
    if normalize not in _NORMALIZE:
        raise ConfigurationError(f"normalize must be one of auto, subject, session, global or None, "
                                 f"found {normalize!r}")
    if normalize == "auto":
        if transductive:
            return "session" if protocol == "cross-session" else "subject"
        return "global" if protocol == "loso" else "subject"
    if transductive and normalize in ("global", None):
        raise ConfigurationError(f"transductive normalisation needs normalize='subject' or "
                                 f"'session' (statistics per held-out group), found "
                                 f"{normalize or 'none'!r}")
    unseen = {"loso": ("subject", "session"), "cross-session": ("session",)}.get(protocol, ())
    if normalize in unseen and not transductive:
        logger.warning("run: normalize=%r under %s: every training %s is z-scored with its own "
                       "statistics but the test %s, unseen in training, gets the pooled training "
                       "statistics (inconsistent scaling); use normalize='auto' / 'global', or "
                       "transductive=True (--transductive) to z-score it with its own", normalize,
                       protocol, normalize, normalize)
    return normalize


# -- one fold (runs in a worker) ------------------------------------------------------------------
def _run_fold(task: dict) -> dict:
    """Fit and predict one fold; everything it needs is in ``task`` (picklable).

    Run in a worker process, what the fold warns about comes back in the result's ``"log"``.
    """
    with worker_warnings(same_process=task.get("parent_pid", os.getpid()) == os.getpid()) as log:
        result = _fit_fold(task)
    result["log"] = log
    return result


def _fit_fold(task: dict) -> dict:
    t0 = time.perf_counter()
    store = task["store"]
    if isinstance(store, (str, os.PathLike)):
        store = _open(store)
    if task.get("torch_threads"):
        try:
            import torch

            torch.set_num_threads(int(task["torch_threads"]))
        except ImportError:
            pass
    fold: Fold = task["fold"]
    index = store.index
    array, scope, seq_len = task["array"], task["normalize"], task["seq_len"]
    est = _model_spec(task["model"], task["model_params"])
    _configure(est, random_state=task["seed"], device=task["device"],
               n_threads=task.get("torch_threads"), user_params=task["model_params"],
               sfreq=task.get("sfreq"))
    uses_val = _uses_validation(est)
    train, val, test = fold.train_rows, fold.val_rows, fold.test_rows
    if not uses_val and len(val):
        train, val = np.union1d(train, val), val[:0]
    tids = trial_ids(index)
    labels = index["label"].to_numpy()

    windows = index["window"].to_numpy() if "window" in index.columns else np.arange(len(index))

    def prep(rows, norm, padded=True, X=None):
        """Rows -> model input and labels; training sequences are whole (no padding)."""
        X = _load_rows(store, array, rows) if X is None else X
        y = labels[rows]
        if norm is not None:
            X = norm.transform(X, _groups(index, rows, scope))
        if seq_len:
            order = np.lexsort((windows[rows], tids[rows]))  # time order within each trial
            if padded:  # one sequence per window, rows keep their order
                seq = to_sequences(X[order], tids[rows][order], seq_len)
                X = np.empty_like(seq)
                X[order] = seq
            else:
                X, _, last = _windows_to_sequences(X[order], tids[rows][order], seq_len)
                y = y[order][last]
        if not hasattr(est, "input_kind"):
            X = X.reshape(len(X), -1)
        return X, y

    norm = None
    X_train = _load_rows(store, array, train)
    if scope is not None:
        from ..preprocess.normalize import Normalizer

        norm = Normalizer(scope=scope).fit(X_train, _groups(index, train, scope))
    X_test = None
    if norm is not None and task.get("transductive") and len(test):
        X_test = _load_rows(store, array, test)   # features only: the labels are never read here
        norm.fit_unlabelled(X_test, _groups(index, test, scope))
    X_train, y_train = prep(train, norm, padded=False, X=X_train)
    if len(X_train) == 0:
        raise ConfigurationError(f"fold {fold.name}: no training sequences (trials shorter than "
                                 f"seq_len={seq_len} windows; lower seq_len)")
    X_val, y_val = prep(val, norm, padded=False) if uses_val and len(val) else (None, None)
    if X_val is not None and len(X_val):
        est.fit(X_train, y_train, X_val, y_val)
    else:
        est.fit(X_train, y_train)
    del X_train
    result: dict[str, Any] = {"name": fold.name, "subject": fold.subject, "n_train": int(len(train)),
                              "n_val": int(len(val)), "n_test": int(len(test)),
                              "n_train_trials": int(len(np.unique(tids[train]))),
                              "n_val_trials": int(len(np.unique(tids[val]))),
                              "n_test_trials": int(len(np.unique(tids[test]))),
                              "transductive_groups": sorted(getattr(norm, "transductive_groups_",
                                                                    ()))}
    if len(test):
        proba = np.asarray(est.predict_proba(prep(test, norm, X=X_test)[0]), dtype=np.float64)
        classes = np.asarray(getattr(est, "classes_", np.arange(proba.shape[1])))
        full = np.zeros((len(test), len(task["labels"])), dtype=np.float64)
        col = {lab: i for i, lab in enumerate(task["labels"])}
        for j, c in enumerate(classes.tolist()):
            full[:, col[c]] = proba[:, j]
        result["rows"] = test
        result["proba"] = full
        result["pred"] = np.asarray(task["labels"])[np.argmax(full, axis=1)]
    else:
        result["rows"], result["proba"], result["pred"] = test, np.zeros((0, len(task["labels"]))), test
    result["history"] = [dict(h) for h in getattr(est, "history_", []) or []]
    ckdir = task.get("checkpoint_dir")
    if ckdir is not None:
        ckdir = Path(ckdir)
        base = _safe(fold.name)
        if norm is not None:
            _write_json(ckdir / f"{base}.normalizer.json", norm.to_dict())
            result["normalizer"] = f"checkpoints/{base}.normalizer.json"
        if hasattr(est, "save"):
            written = est.save(ckdir / f"{base}.pt")
            result["checkpoint"] = "checkpoints/" + Path(written or ckdir / f"{base}.pt").name
        else:
            logger.info("run: %s has no save(); fold %s is not checkpointed",
                        type(est).__name__, fold.name)
    result["fit_seconds"] = time.perf_counter() - t0
    return result


# -- the run ------------------------------------------------------------------------------------------
def check_run_folder(out: str | os.PathLike, overwrite: bool, markers: tuple[str, ...],
                     writer: str) -> None:
    """Refuse to write a run into an existing folder unless told to replace an earlier run there.

    Parameters
    ----------
    out : path-like
        The run folder about to be written.
    overwrite : bool
        Whether an earlier run there may be replaced.
    markers : tuple of str
        Entries a run folder of this kind holds (``metrics.json``, ``checkpoints`` of an interrupted
        run, ``config.json``): with ``overwrite``, a non-empty folder with none of them is still
        refused, so a mistyped ``--out`` never deletes a folder that is not a run.
    writer : str
        The command that writes such runs, for the message.
    """
    out = Path(out)
    check_parent_folders(out)
    if not out.exists():
        return
    if not out.is_dir():
        raise ConfigurationError(f"{out}: exists and is not a folder (expected a run folder to write)")
    if not any(out.iterdir()):
        return
    if not any((out / m).exists() for m in markers):
        raise ConfigurationError(f"{out}: folder is not empty and is not a run of `{writer}` (no "
                                 f"{' or '.join(markers)}); choose another folder")
    if not overwrite:
        raise ConfigurationError(f"{out}: run folder exists (expected a new folder; pass "
                                 f"overwrite=True / --overwrite to replace it)")


def run(store: str | os.PathLike | Store, model: str | BaseEstimator, protocol: str,
        out: str | os.PathLike, *, array: str | None = None,
        model_params: Mapping[str, Any] | None = None, normalize: str | None = "auto",
        transductive: bool = False, seq_len: int | None = None, jobs: int = 1,
        scheduler: str | Client | None = None, random_state: int = 0,
        device: str | None = "auto", n_folds: int = 5, val_fraction: float = 0.2,
        train_trials: int | None = None, test_session: int | None = None,
        subjects: Selection = None, sessions: Selection = None, fit_final: bool = False,
        overwrite: bool = False) -> dict:
    """Evaluate a model under a protocol and write the run folder.

    Parameters
    ----------
    store : path-like | Store
        A prepared store (:func:`eegemo.store.open_store`), or its folder.
    model : str | estimator
        A name from :func:`eegemo.models.list_models` (e.g. ``"svm"``, ``"ccnn"``,
        ``"attention-4d"``), or an unfitted scikit-learn style estimator (cloned per fold; without an
        ``input_kind`` it receives flattened rows).
    protocol : {"seed-standard", "trial-kfold", "cross-session", "loso"}
        See :mod:`eegemo.evaluation.splits`.
    out : path-like
        Run folder to write: new or empty, or (with ``overwrite``) an earlier run folder.
    array : str | None
        Store array to read; default from the model's ``input_kind`` (:data:`ARRAY_FOR_INPUT`).
    model_params : dict | None
        Passed to :func:`eegemo.models.get_model` (e.g. ``{"max_epochs": 30}``).
    normalize : {"auto", "subject", "session", "global", None}
        Scope of the z-scoring fitted on each fold's training rows (None: none). ``"auto"``:
        ``"global"`` under ``"loso"`` (the held-out subject has no statistics of its own in
        training), ``"subject"`` otherwise; see :func:`resolve_normalize`. Test groups unseen in
        training get the global training statistics, unless ``transductive``.
    transductive : bool
        Z-score the test subjects (sessions) unseen in training with their own statistics, computed
        from the test features (never the labels), as much of the SEED literature does. Recorded in
        ``metrics.json`` (``protocol.transductive``) and said wherever the run's numbers are shown.
    seq_len : int | None
        Windows per sequence for ``grid_seq`` models (default: the model's ``seq_len``/``n_steps``
        parameter, else 4).
    jobs : int
        Folds in parallel in a local process pool (1: one after another in this process).
    scheduler : str | distributed.Client | None
        Address of a Dask scheduler (or a Client): folds are submitted to the cluster instead. The
        store must then be reachable from the workers at the same path.
    random_state : int
        Seed of the splits and of every fold's model (derived from it and the fold's name).
    device : str | None
        ``"auto"``, ``"cpu"`` or ``"cuda"`` for torch models (unless ``model_params`` sets it).
    n_folds : int
        Folds per subject for ``"trial-kfold"``.
    val_fraction : float
        Fraction of training trials held out for early stopping (torch models only; other models
        train on them).
    train_trials : int | None
        Override the training trials per session of ``"seed-standard"``.
    test_session : int | None
        ``"cross-session"``: test on this session only (3: sessions 1 + 2 train, 3 tests).
    subjects, sessions : sequence | None
        Evaluate on these subjects / session numbers of the store only (None: all); the protocol
        runs as if the store held nothing else, e.g. ``protocol="loso", sessions=[1]`` for
        leave-one-subject-out on the first session, as many SEED papers report. Subject ids
        compare as written, numbers by value (``"1"`` selects ``"01"``). Recorded in
        ``metrics.json`` (``protocol.selection``) and in the ``split`` line.
    fit_final : bool
        Also fit one model on all rows (``checkpoints/final.pt``) for :func:`eegemo.evaluation.predict`.
    overwrite : bool
        Replace an earlier run in ``out``; without it an existing, non-empty ``out`` is refused
        before anything is trained, so no run is lost by a repeated command.

    Returns
    -------
    metrics : dict
        The content of ``metrics.json``.
    """
    t_start = time.perf_counter()
    check_run_folder(out, overwrite, ("metrics.json", "checkpoints"), "eegemo train")
    store = _open(store)
    if protocol not in PROTOCOLS:
        raise ConfigurationError(f"unknown protocol: expected one of {', '.join(PROTOCOLS)}, "
                                 f"found {protocol!r}")
    requested, transductive = normalize, bool(transductive)
    normalize = resolve_normalize(normalize, protocol, transductive)
    if not isinstance(jobs, (int, np.integer)) or jobs < 1:
        raise ConfigurationError(f"jobs must be a positive integer, found {jobs!r}")
    model_params = dict(model_params or {})
    if "random_state" in model_params:
        # every fold's model is seeded from the run's random_state and the fold's name; a seed
        # here would be recorded as used while it is not
        raise ConfigurationError(f"model parameter random_state={model_params['random_state']!r}: "
                                 "the run seeds each fold's model from its own random_state "
                                 "(--seed); set that instead")
    probe = _model_spec(model, model_params)  # validates the name and parameters early
    if callable(getattr(probe, "_check_common", None)):   # eegemo networks: epochs, sizes, ...
        probe._check_common()
    if not callable(getattr(probe, "predict_proba", None)):
        raise ConfigurationError(
            f"run: {type(probe).__name__} has no predict_proba (expected a classifier that gives "
            f"class probabilities; wrap it, e.g. sklearn.calibration.CalibratedClassifierCV("
            f"{type(probe).__name__}()))")
    if "device" in getattr(probe, "get_params", dict)():   # a torch model: is its device there?
        from .._device import resolve_device

        resolve_device(model_params.get("device", device), _model_name(model))
    input_kind = getattr(probe, "input_kind", "features")
    arrays = tuple(getattr(store, "arrays", ()))
    given = array is not None
    if array is None:
        array = ARRAY_FOR_INPUT.get(input_kind)
        if array is None:
            raise ConfigurationError(f"model {_model_name(model)}: unknown input_kind {input_kind!r} "
                                     f"(expected one of {', '.join(ARRAY_FOR_INPUT)})")
        other = _other_array(input_kind, arrays) if array not in arrays else None
        if other is not None:
            logger.info("run: the store has no %r; model %s reads %r (the store's only array of "
                        "its kind)", array, _model_name(model), other)
            array = other
    if array not in arrays:
        raise ConfigurationError(
            f"{getattr(store, 'path', 'store')}: array {array!r} "
            f"{'asked for' if given else 'needed by model ' + _model_name(model)} "
            f"({input_kind}) is missing (expected it among the store's arrays, found "
            f"{', '.join(arrays) or 'none'}; pass one of them as array= / --array, or prepare the "
            f"store with it)")
    if input_kind == "grid_seq":
        if seq_len is None:
            p = probe.get_params(deep=False)
            seq_len = next((int(p[k]) for k in ("seq_len", "n_steps", "T", "n_segments")
                            if isinstance(p.get(k), (int, np.integer))), 4)
        if int(seq_len) < 1:
            raise ConfigurationError(f"seq_len must be >= 1, found {seq_len!r}")
        seq_len = int(seq_len)
    elif seq_len is not None:
        raise ConfigurationError(f"seq_len: model {_model_name(model)} takes single windows "
                                 f"(input {input_kind!r}), not sequences (expected seq_len only for "
                                 f"sequence models such as attention-4d, found {seq_len!r})")
    index = store.index
    selected = select_rows(index, subjects, sessions,
                           what=str(getattr(store, "path", None) or "store"))
    selection = _selection(subjects, sessions, index)
    chosen = index.iloc[selected].reset_index(drop=True)   # the protocol sees only these rows
    labels = sorted(pd.unique(chosen["label"]).tolist())
    label_names = {int(k) if str(k).lstrip("-").isdigit() else k: str(v)
                   for k, v in (getattr(store, "label_names", None) or {}).items()}
    chosen_words = describe_selection(**selection)
    try:
        folds = [Fold(f.name, f.subject, selected[f.train_rows], selected[f.test_rows],
                      selected[f.val_rows])
                 for f in split(chosen, protocol, n_folds=n_folds, val_fraction=val_fraction,
                                random_state=random_state, train_trials=train_trials,
                                test_session=test_session)]
    except ConfigurationError as err:
        if not chosen_words:
            raise
        raise ConfigurationError(f"{err} (evaluating {chosen_words} of the store only)") from None
    if not folds:
        raise ConfigurationError(f"{protocol}: the store yields no fold"
                                 + (f" for {chosen_words}" if chosen_words else ""))
    for f in folds:
        check_no_leakage(index, np.union1d(f.train_rows, f.val_rows), f.test_rows,
                         subject_disjoint=protocol == "loso", what=f"fold {f.name}")
        check_no_leakage(index, f.train_rows, f.val_rows, what=f"fold {f.name} (train/validation)")

    # Connect first (a wrong address leaves no folder), then write the run into a hidden sibling
    # folder renamed into place at the end: a run that fails leaves nothing behind, and an earlier run
    # being replaced survives until the new one is whole.
    with connected(scheduler) as client, written_aside(out) as work:
        address = None if client is None else str(client.scheduler_info().get("address", scheduler))
        ckdir = (work / "checkpoints").resolve()   # absolute: workers may run elsewhere
        ckdir.mkdir()

        parallel = scheduler is not None or jobs > 1
        store_ref: Any = store
        if parallel and getattr(store, "path", None) is not None and Path(store.path).exists():
            store_ref = str(Path(store.path).resolve())
        torch_threads = None
        if parallel and scheduler is None:
            torch_threads = max(1, (os.cpu_count() or 1) // int(jobs))
        tasks = [{"store": store_ref, "fold": f, "array": array, "normalize": normalize,
                  "transductive": transductive, "seq_len": seq_len, "model": model,
                  "model_params": model_params,
                  "seed": _fold_seed(random_state, f.name), "device": device, "labels": labels,
                  "checkpoint_dir": str(ckdir), "torch_threads": torch_threads,
                  "sfreq": getattr(store, "sfreq", None)} for f in folds]
        logger.info("run: %s, protocol %s, %d fold(s), array %s%s", _model_name(model), protocol,
                    len(folds), array, f", {jobs} jobs" if jobs > 1 else "")
        results = _execute(tasks, jobs=int(jobs), client=client)

        final = None
        if fit_final:
            all_rows = selected
            tids = trial_ids(chosen)
            from .splits import _carve_val, _fold_seed as _rng, _trial_table

            tr_t, va_t = _carve_val(_trial_table(chosen), val_fraction, _rng(random_state, "final"))
            ffold = Fold("final", None, all_rows[np.isin(tids, tr_t)], all_rows[:0],
                         all_rows[np.isin(tids, va_t)])
            final = _run_fold({**tasks[0], "fold": ffold, "seed": _fold_seed(random_state, "final"),
                               "transductive": False})

        metrics = _assemble(store, index, folds, results, labels, label_names, protocol, model,
                            model_params, array, normalize, seq_len, n_folds, val_fraction,
                            train_trials, random_state, device, input_kind, probe, final,
                            requested, transductive, test_session, chosen, selection)
        _write_outputs(work, index, results, metrics, labels, label_names)
        elapsed = time.perf_counter() - t_start
        fold_seconds = {r["name"]: r["fit_seconds"] for r in results}
        _write_json(work / "timing.json", {"total_seconds": elapsed, "fold_seconds": fold_seconds,
                                           "jobs": jobs, "scheduler": address})
    s = metrics["summary"]
    logger.info("run: %s / %s: accuracy %.3f%s over %d subject(s) (%.0f s)",
                _model_name(model), protocol, s["accuracy_mean"] or float("nan"),
                f" ± {s['accuracy_std']:.3f}" if s["n_subjects"] > 1 and s["accuracy_std"]
                is not None else "", s["n_subjects"], elapsed)
    return metrics


def _selection(subjects, sessions, index: pd.DataFrame) -> dict:
    """A validated :func:`select_rows` selection as JSON values (lists, or None for all), subjects
    named as the store names them (``1`` asked for, ``01`` in the store: ``01``)."""
    from .splits import _listed, _stored_subjects

    return {"subjects": None if subjects is None else _stored_subjects(index, subjects),
            "sessions": None if sessions is None else sorted({int(str(v).strip())
                                                              for v in _listed(sessions)})}


def _execute(tasks: list[dict], *, jobs: int, client) -> list[dict]:
    from tqdm.auto import tqdm

    bar = tqdm(total=len(tasks), desc="folds", unit="fold", disable=progress_disabled())
    tasks = [{**t, "parent_pid": os.getpid()} for t in tasks]   # whose warnings a fold collects
    try:
        if client is not None:   # a connected distributed.Client
            from distributed import as_completed

            from .._processes import lost_worker_error

            from .._dask import _local_version, run_checked

            mine = _local_version()   # a worker that joined after connecting is checked per task
            futures = [client.submit(run_checked, mine, _run_fold, t, pure=False) for t in tasks]
            for _ in as_completed(futures, loop=client.loop):   # not the default client
                bar.update()
            try:
                results = client.gather(futures)
            except Exception as err:    # a worker lost: one line, not distributed's traceback
                lost = lost_worker_error("run", err)
                if lost is None:
                    raise
                raise lost from None
            for r in results:
                relog(r.get("log"))
            return results
        if jobs > 1:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor, as_completed as done

            ctx = multiprocessing.get_context("spawn")
            from concurrent.futures.process import BrokenProcessPool

            from .._processes import broken_pool_error, watch_parent

            try:
                with ProcessPoolExecutor(max_workers=min(jobs, len(tasks)), mp_context=ctx,
                                         initializer=watch_parent,
                                         initargs=(os.getpid(),)) as ex:
                    futures = [ex.submit(_run_fold, t) for t in tasks]
                    for f in done(futures):
                        bar.update()
                        if f.exception() is None:
                            relog(f.result().get("log"))
                    return [f.result() for f in futures]
            except BrokenProcessPool:
                raise broken_pool_error("run") from None
        results = []
        for t in tasks:
            bar.set_postfix_str(t["fold"].name)
            results.append(_run_fold(t))
            bar.update()
        return results
    finally:
        bar.close()


def _assemble(store, index, folds, results, labels, label_names, protocol, model, model_params,
              array, normalize, seq_len, n_folds, val_fraction, train_trials, random_state, device,
              input_kind, probe, final, requested=None, transductive=False,
              test_session=None, chosen=None, selection=None) -> dict:
    y = index["label"].to_numpy()
    rows = np.concatenate([r["rows"] for r in results]).astype(np.int64)
    pred = np.concatenate([np.asarray(r["pred"]) for r in results])
    subj = np.concatenate([np.full(len(r["rows"]), str(r["subject"]), dtype=object) for r in results])
    per_subject = per_group(y[rows], pred, subj, labels)
    per_fold = {}
    for r in results:
        m = classification_metrics(y[r["rows"]], r["pred"], labels)
        per_fold[r["name"]] = {"subject": r["subject"], **m,
                               **{k: r[k] for k in ("n_train", "n_val", "n_test", "n_train_trials",
                                                    "n_val_trials", "n_test_trials")},
                               "epochs": len(r["history"]),
                               "checkpoint": r.get("checkpoint"), "normalizer": r.get("normalizer")}
    for s, m in per_subject.items():
        m["n_folds"] = sum(1 for r in results if str(r["subject"]) == s)
    summary = summarize(per_subject)
    summary.update(summarize_folds(per_fold))
    summary["chance"] = 1.0 / len(labels)
    summary["n_folds"] = len(folds)
    summary["n_test_windows"] = int(len(rows))
    params = probe.get_params(deep=False)
    manifest = getattr(store, "manifest", None) or {}
    chosen = index if chosen is None else chosen
    config = {
        "store": str(Path(store.path).resolve()) if getattr(store, "path", None) else None,
        "store_manifest_hash": _manifest_hash(store),
        "store_config_hash": manifest.get("config_hash"),
        "store_config": manifest.get("config"),
        "store_kind": manifest.get("kind"),   # "raw" or "features": what predict must be given
        "store_dataset": manifest.get("dataset"),   # whose reader the store's read options are for
        # the folders the evaluated recordings came from (names a generic store's data: eegmmidb)
        "source_folders": (sorted({Path(str(v)).parent.name for v in pd.unique(chosen["source"])})[:5]
                           if "source" in chosen.columns else None),
        "array": array, "input_kind": input_kind, "normalize": normalize,
        "normalize_requested": requested, "transductive": transductive, "seq_len": seq_len,
        "n_folds": n_folds, "val_fraction": val_fraction, "train_trials": train_trials,
        "test_session": test_session, **(selection or {"subjects": None, "sessions": None}),
        "random_state": random_state, "device": device, "model_params": dict(model_params),
        "labels": labels, "label_names": {str(k): v for k, v in label_names.items()},
        "ch_names": list(getattr(store, "ch_names", []) or []),
        "sfreq": getattr(store, "sfreq", None), "window": getattr(store, "window", None),
        "bands": [[b.name, b.low, b.high] if hasattr(b, "low") else b
                  for b in (getattr(store, "bands", None) or ())],
        "fold_seeds": {f.name: _fold_seed(random_state, f.name) for f in folds},
    }
    model_info = {"name": _model_name(model), "class": type(probe).__name__,
                  "params": {k: v for k, v in params.items() if _jsonable(v)},
                  "input_kind": input_kind, "citation": getattr(probe, "CITATION", None)}
    if final is not None:
        model_info["final_checkpoint"] = final.get("checkpoint")
        model_info["final_normalizer"] = final.get("normalizer")
    chosen_words = describe_selection(**(selection or {}))
    proto = {"name": protocol, "n_folds": n_folds if protocol == "trial-kfold" else None,
             "train_trials": train_trials, "test_session": test_session,
             "selection": chosen_words or None,
             "val_fraction": val_fraction, "unit": "trial",
             "split": describe(chosen, protocol, n_folds=n_folds, train_trials=train_trials,
                               test_session=test_session)
             + (f"; on {chosen_words} of the store only" if chosen_words else ""),
             "aggregate": AGGREGATE_NOTE,
             "normalize": normalize, "transductive": transductive}
    if transductive:
        groups = sorted({g for r in results for g in r.get("transductive_groups", ())})
        proto["transductive_groups"] = groups
        proto["transductive_note"] = TRANSDUCTIVE_NOTE.format(scope=normalize)
        if not groups:
            logger.info("run: transductive normalisation changed nothing: every test %s was seen "
                        "in training (%s)", normalize, protocol)
    if "dataset" in index and (index["dataset"].astype(str) == "bird").any():
        proto["note"] = WINDOW_LEVEL_NOTE
        logger.warning("run: %s", WINDOW_LEVEL_NOTE)
    return {"summary": summary, "per_subject": per_subject, "per_fold": per_fold,
            "protocol": proto,
            "model": model_info, "config": config, "versions": _versions(),
            "simulated": _simulated(store)}


#: How a run's numbers are aggregated (``metrics.json``: ``protocol.aggregate``).
AGGREGATE_NOTE = ("per subject: the test windows of all of its folds pooled; summary: mean and sample "
                  "std (ddof=1) over subjects; *_over_folds: mean and sample std over folds (e.g. "
                  "SEED's 45 sessions under seed-standard, as many SEED papers report)")


def _jsonable(v) -> bool:
    try:
        json.dumps(v, default=_json_default)
        return not callable(v) and not hasattr(v, "get_params")
    except (TypeError, ValueError):
        return False


def _write_predictions(path: Path, pred: pd.DataFrame, simulated: bool) -> None:
    """predictions.parquet, whose schema metadata says whether the data were simulated
    (``eegemo.simulated``: ``true``/``false``), so the file is labelled on its own."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(pred, preserve_index=False)
    meta = dict(table.schema.metadata or {})
    meta[b"eegemo.simulated"] = b"true" if simulated else b"false"
    pq.write_table(table.replace_schema_metadata(meta), path)


def _write_outputs(out: Path, index, results, metrics, labels, label_names) -> None:
    rows = np.concatenate([r["rows"] for r in results]).astype(np.int64)
    cols = [c for c in ("recording", "subject", "session", "trial", "window", "label")
            if c in index.columns]
    pred = index.iloc[rows][cols].reset_index(drop=True)
    pred.insert(0, "row", rows)
    pred.insert(1, "fold", np.concatenate([np.full(len(r["rows"]), r["name"], dtype=object)
                                           for r in results]))
    pred["subject"] = pred["subject"].astype(str)
    pred["pred"] = pd.Series(np.concatenate([np.asarray(r["pred"]) for r in results])).astype(
        index["label"].dtype).to_numpy()
    proba = np.concatenate([r["proba"] for r in results], axis=0)
    for j, lab in enumerate(labels):
        pred[f"proba_{lab}"] = proba[:, j]
    _write_predictions(out / "predictions.parquet", pred, bool(metrics.get("simulated")))

    ps = pd.DataFrame([{"subject": s, **m} for s, m in metrics["per_subject"].items()])
    ps.to_csv(out / "per_subject.csv", index=False)

    y = pred["label"].to_numpy()
    p = pred["pred"].to_numpy()
    conf = {"simulated": bool(metrics.get("simulated")),
            "labels": labels, "label_names": [label_names.get(k, str(k)) for k in labels],
            "matrix": confusion(y, p, labels).tolist(),
            "per_subject": {s: confusion(y[pred["subject"].to_numpy() == s],
                                         p[pred["subject"].to_numpy() == s], labels).tolist()
                            for s in metrics["per_subject"]}}
    _write_json(out / "confusion.json", conf)
    _write_json(out / "history.json", {r["name"]: r["history"] for r in results})
    _write_json(out / "metrics.json", metrics)


# -- reading runs back ------------------------------------------------------------------------------
def load_run(run_dir: str | os.PathLike) -> dict:
    """Read a run folder's ``metrics.json``.

    Parameters
    ----------
    run_dir : path-like
        A run folder written by :func:`run` (``eegemo train``).

    Returns
    -------
    metrics : dict
        The parsed ``metrics.json``: ``summary``, ``per_subject``, ``per_fold``, ``protocol``,
        ``model``, ``config``, ``versions``, ``simulated`` (its parts checked to be of the
        expected kinds).

    Raises
    ------
    ConfigurationError
        When ``run_dir`` is not a run folder written by :func:`run`.
    """
    path = Path(run_dir) / "metrics.json"
    from .._files import folder_kind

    kind = folder_kind(run_dir)
    hint = {"generator run": "; it is a generator run: use `eegemo synth-eval RUN STORE` or "
                             "`eegemo generate`",
            "store": "; it is a store (of `eegemo prepare`): train a run on it with `eegemo "
                     "train STORE --model M --protocol P --out RUN`"}.get(kind, "")
    if not Path(run_dir).exists():
        raise ConfigurationError(f"{run_dir}: path not found (expected a run folder written by "
                                 f"`eegemo train`, found nothing at this path)")
    if not path.is_file():
        raise ConfigurationError(f"{run_dir}: not a recognition run folder (expected metrics.json "
                                 f"written by `eegemo train`, found none){hint}")
    try:
        m = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, OSError) as err:   # JSON and UTF-8 decoding errors are ValueErrors
        raise ConfigurationError(f"{path}: unreadable metrics.json "
                                 f"({first_line(err)})") from None
    if not isinstance(m, dict) or "summary" not in m or "config" not in m:
        raise ConfigurationError(f"{path}: not a recognition run (expected summary and config "
                                 f"keys){hint}")
    check_run_metrics(path, m)
    return m


def check_run_metrics(path: Path, m: dict) -> None:
    """Refuse, in one line, a metrics.json whose parts are not of the kinds the readers use (a
    hand-edited file), instead of a TypeError deep in evaluate/info/report/predict."""
    def bad(what: str, found) -> ConfigurationError:
        return ConfigurationError(f"{path}: damaged metrics.json (expected {what}, found "
                                  f"{found!r:.60})")

    for key in ("summary", "config", "model", "protocol"):
        if not isinstance(m.get(key, {}), (dict, type(None)) if key == "model" else dict):
            raise bad(f"{key!r} as an object", m[key])
    for key in ("per_subject", "per_fold"):
        part = m.get(key, {})
        if not isinstance(part, dict) or not all(isinstance(v, dict) for v in part.values()):
            raise bad(f"{key!r} as an object of objects", part)
    number = (int, float, type(None))
    for where, part in [("summary", m.get("summary", {})), *[(f"per_subject {k}", v)
                                                     for k, v in m.get("per_subject", {}).items()]]:
        for metric in METRICS:
            for key in ((f"{metric}_mean", f"{metric}_std") if where == "summary" else (metric,)):
                v = part.get(key)
                if not isinstance(v, number) or isinstance(v, bool):
                    raise bad(f"{where} {key} as a number or null", v)
    cfg = m.get("config", {})
    for key, kinds in (("labels", (list, type(None))), ("label_names", (dict, type(None))),
                       ("sfreq", number), ("window", number), ("ch_names", (list, type(None))),
                       ("store_config", (dict, type(None)))):
        if not isinstance(cfg.get(key), kinds) or isinstance(cfg.get(key), bool):
            raise bad(f"config {key} as {'a number' if kinds is number else kinds[0].__name__}",
                      cfg.get(key))
    if not all(isinstance(c, str) for c in cfg.get("ch_names") or []):
        raise bad("config ch_names as a list of names", cfg["ch_names"])
    if isinstance(cfg.get("store_config"), dict):
        from ..store.config import PrepareConfig

        try:   # the store's settings predict computes its inputs with (bands, window, ...)
            PrepareConfig.from_dict(cfg["store_config"])
        except (ConfigurationError, TypeError, ValueError, KeyError) as err:
            text = err.args[0] if err.args and isinstance(err.args[0], str) else repr(err)
            raise ConfigurationError(f"{path}: damaged metrics.json (config store_config: "
                                     f"{(text.splitlines() or [''])[0]})") from None


def evaluate(run_dir: str | os.PathLike) -> dict:
    """Recompute a run's metrics from its ``predictions.parquet``.

    Parameters
    ----------
    run_dir : path-like
        A folder written by :func:`run`.

    Returns
    -------
    metrics : dict
        ``summary``, ``per_subject``, ``per_fold`` recomputed from the predictions, ``protocol``,
        ``model``, ``simulated``, and ``consistent`` (whether they equal the saved ``metrics.json``).
    """
    saved = load_run(run_dir)
    path = Path(run_dir) / "predictions.parquet"
    if not path.is_file():
        raise ConfigurationError(f"{run_dir}: predictions.parquet is missing (expected the per-window "
                                 f"predictions written by `eegemo train`)")
    pred = _read_predictions(path)
    labels = saved["config"].get("labels") or sorted(pd.unique(pred["label"]).tolist())
    y, p = pred["label"].to_numpy(), pred["pred"].to_numpy()
    # subject of each prediction is the fold's test subject (a fold tests one subject)
    fold_subject = {k: str(v.get("subject")) for k, v in saved.get("per_fold", {}).items()}
    subj = pred["fold"].map(fold_subject).fillna(pred["subject"].astype(str)).to_numpy()
    per_subject = per_group(y, p, subj, labels)
    per_fold = per_group(y, p, pred["fold"].to_numpy(), labels)
    summary = summarize(per_subject)
    summary.update(summarize_folds(per_fold))
    differ = [m for m in METRICS
              if not _close(summary.get(f"{m}_mean"), saved["summary"].get(f"{m}_mean"))]
    consistent = not differ
    out = {"summary": {**saved["summary"], **summary}, "per_subject": per_subject,
           "per_fold": per_fold, "protocol": saved.get("protocol"), "model": saved.get("model"),
           "simulated": saved.get("simulated"), "consistent": consistent,
           "confusion": confusion(y, p, labels).tolist(), "labels": labels,
           "label_names": saved["config"].get("label_names", {})}
    if not consistent:
        def show(v):
            return "–" if v is None else f"{v:.3f}"

        logger.warning("evaluate: %s: metrics recomputed from predictions differ from metrics.json "
                       "(%s)%s", run_dir, "; ".join(
                           f"{m}_mean {show(saved['summary'].get(f'{m}_mean'))} saved, "
                           f"{show(summary.get(f'{m}_mean'))} now" for m in differ),
                       " — runs made before macro-F1 skipped classes absent from a test side "
                       "counted them as 0" if differ == ["f1_macro"] else "")
    return out


def _read_predictions(path: Path) -> pd.DataFrame:
    """A run's ``predictions.parquet``, refused with one line if unreadable or missing columns."""
    import pyarrow as pa

    try:
        pred = pd.read_parquet(path)
    except (pa.ArrowException, OSError) as err:
        raise ConfigurationError(f"{path}: unreadable predictions (expected the Parquet table written "
                                 f"by `eegemo train`, found {str(err).split(': ')[-1]})") from None
    missing = [c for c in ("fold", "subject", "label", "pred") if c not in pred.columns]
    if missing:
        raise ConfigurationError(f"{path}: not a run's predictions (expected columns fold, subject, "
                                 f"label and pred, found no {', '.join(missing)})")
    if not len(pred):
        raise ConfigurationError(f"{path}: no predictions (expected one row per test window, "
                                 f"found none)")
    return pred


def _close(a, b) -> bool:
    if a is None or b is None:
        return a is b
    return abs(float(a) - float(b)) < 1e-9


def normalize_text(metrics: dict) -> str:
    """How a run z-scored its inputs, in words (``"z-scored per subject (transductive)"``)."""
    p = metrics.get("protocol") if isinstance(metrics.get("protocol"), dict) else {}
    cfg = metrics.get("config") or {}
    scope = p.get("normalize", cfg.get("normalize"))
    if scope is None:
        return "not z-scored"
    text = "z-scored globally" if scope == "global" else f"z-scored per {scope}"
    if p.get("transductive", cfg.get("transductive")):
        text += " (transductive)"
    return text


def format_metrics(metrics: dict) -> str:
    """A plain-text table of a run: mean ± std over subjects, then one line per subject.

    Parameters
    ----------
    metrics : dict
        A run's metrics, as :func:`load_run` returns them (at least ``summary``; ``protocol``,
        ``model``, ``per_subject``, ``per_fold`` and ``config`` are used where present).

    Returns
    -------
    text : str
        Lines joined by newlines, without a trailing newline: a header (model, protocol,
        subjects, folds, chance, normalisation), any notes, one line per metric (mean ± std over
        subjects; accuracy over folds when there is more than one), then one line per subject.
    """
    s = metrics["summary"]
    proto = metrics.get("protocol")
    proto = proto.get("name") if isinstance(proto, dict) else proto
    model = metrics.get("model")
    model = model.get("name") if isinstance(model, dict) else model
    sim = " — SIMULATED data" if metrics.get("simulated") else ""
    p = metrics["protocol"] if isinstance(metrics.get("protocol"), dict) else {}
    splits = ("row-level splits (see NOTE)" if p.get("note") == WINDOW_LEVEL_NOTE
              else "trial-disjoint splits")
    chosen = f" on {p['selection']} of the store" if p.get("selection") else ""
    lines = [f"model {model}, protocol {proto}{chosen}{sim}: {s.get('n_subjects')} subject(s), "
             f"{s.get('n_folds', len(metrics.get('per_fold', {})))} fold(s), {splits}"]
    if s.get("chance") is not None:
        lines[0] += f", chance {s['chance']:.3f}"
    lines[0] += f", {normalize_text(metrics)}"
    for note in (p.get("note"), p.get("transductive_note")):
        if note:
            lines.append(f"NOTE: {note}")

    def fmt(v):
        return "   –  " if v is None else f"{v:6.3f}"

    names = {"accuracy": "accuracy", "balanced_accuracy": "balanced accuracy",
             "f1_macro": "macro-F1", "kappa": "Cohen's kappa"}
    lines.append(f"{'metric':<18} mean ± std over subjects")
    n_subj = s.get("n_subjects")
    for m in METRICS:
        k = s.get(f"{m}_n", n_subj)
        # one value: no spread to show (the JSON keeps 0.0 for one subject, as documented)
        std = ("– (1 subject)" if n_subj == 1 else "–" if k == 1
               else fmt(s.get(f"{m}_std")).strip())
        few = (f"  (over {k} of {n_subj} subjects: undefined for the others)"
               if k is not None and n_subj is not None and k < n_subj else "")
        lines.append(f"{names[m]:<18} {fmt(s.get(f'{m}_mean'))} ± {std}{few}")
    folds = [f.get("accuracy") for f in (metrics.get("per_fold") or {}).values()
             if isinstance(f, dict) and f.get("accuracy") is not None]
    if len(folds) > 1:
        lines.append(f"{'(per fold)':<18} {fmt(float(np.mean(folds)))} ± "
                     f"{fmt(float(np.std(folds, ddof=1))).strip()}  accuracy over {len(folds)} folds")
    lines.append("")
    lines.append(f"{'subject':<10} {'accuracy':>8} {'bal.acc':>8} {'F1':>8} {'kappa':>8} {'windows':>8}")
    for subj, m in metrics.get("per_subject", {}).items():
        lines.append(f"{subj:<10} {fmt(m.get('accuracy')):>8} {fmt(m.get('balanced_accuracy')):>8} "
                     f"{fmt(m.get('f1_macro')):>8} {fmt(m.get('kappa')):>8} {m.get('n', ''):>8}")
    return "\n".join(lines)
