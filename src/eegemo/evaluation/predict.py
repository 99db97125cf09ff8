"""Per-window emotion probabilities for a new recording, with a trained run's models.

:func:`predict` reads a recording with :func:`eegemo.datasets.read`, repeats the run's store
configuration (window length and overlap, bands, DE or PSD, smoothing, 9 × 9 grid or image) with the
:mod:`eegemo.preprocess` functions, applies the saved normaliser and model of the run, and returns one
row per window. Models come from ``checkpoints/``: the final model fitted on all data when the run was
made with ``fit_final=True``, a fold named by ``fold``, or else the average of all fold models.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .._logging import logger, progress_disabled
from ..errors import ConfigurationError, data_error, first_line
from .runner import _groups, load_run, to_sequences

if TYPE_CHECKING:
    from ..recording import Recording

__all__ = ["predict", "recording_arrays"]


def _bands(cfg: dict):
    from ..bands import Band, SEED_BANDS

    spec = cfg.get("bands")
    if not spec:
        return SEED_BANDS
    out = []
    for b in spec:
        if isinstance(b, dict):
            out.append(Band(str(b["name"]), float(b["low"]), float(b["high"])))
        else:
            name, low, high = b
            out.append(Band(str(name), float(low), float(high)))
    return tuple(out)


def _pick_channels(trial, ch_names: list[str], source, data: np.ndarray,
                   what: str = "channels") -> np.ndarray:
    from ..channels import standard_name

    data = np.asarray(data, dtype=np.float64)
    if not ch_names:
        return data
    have = {standard_name(c): i for i, c in enumerate(trial.ch_names)}
    missing = [c for c in ch_names if standard_name(c) not in have]
    if missing:
        raise data_error(source, f"{what} of the training store are missing",
                         expected=f"{len(ch_names)} {what} incl. {', '.join(missing[:5])}",
                         found=f"{len(trial.ch_names)} {what}")
    return data[[have[standard_name(c)] for c in ch_names]]


def _prepare_config(cfg: dict):
    """The store's :class:`~eegemo.store.config.PrepareConfig` saved with the run."""
    from ..store.config import PrepareConfig

    store_cfg = cfg.get("store_config")
    if isinstance(store_cfg, dict):
        return PrepareConfig.from_dict(store_cfg)
    bands = [[b.name, b.low, b.high] for b in _bands(cfg)]
    return PrepareConfig(window=float(cfg.get("window") or 1.0), bands=bands)


def _trained_kind(cfg: dict) -> str | None:
    """``"raw"`` or ``"features"``: what the run's store was prepared from (None if not recorded)."""
    kind = cfg.get("store_kind") or (cfg.get("store_config") or {}).get("kind")
    return kind if kind in ("raw", "features") else None


def recording_arrays(recording: Recording, cfg: dict,
                     array: str) -> tuple[np.ndarray, pd.DataFrame]:
    """The rows of ``array`` that a run's store would hold for one recording.

    The windows and features are computed by the store's own code
    (:func:`eegemo.store._compute.raw_trial_arrays`) with the configuration saved in the run, so
    they match the training data exactly (window, overlap, bands, µV scale, smoothing).

    Parameters
    ----------
    recording : Recording
        A recording read by :func:`eegemo.datasets.read` (raw trials, or released features for
        feature arrays).
    cfg : dict
        The ``config`` entry of the run's ``metrics.json``.
    array : str
        ``"raw"``, ``"de"``, ``"psd"``, ``"de_grid"``, ``"psd_grid"``, ``"de_image"`` or
        ``"psd_image"``.

    Returns
    -------
    X : ndarray, float32, shape (n_windows, ...)
    meta : DataFrame
        One row per window: recording, subject, session, trial, window, start, stop, label
        (nullable integers: missing for an unlabelled trial or a file without sessions).
    """
    from ..preprocess import output_rate, to_grid, to_image
    from ..recording import check_finite
    from ..store._compute import load_raw_trial, no_signal_warning, raw_trial_arrays

    feature = array.split("_")[0]
    released = _trained_kind(cfg) == "features"   # a released feature (de, psd, the Bird table's bird)
    if feature not in ("raw", "de", "psd") and not released:
        raise ConfigurationError(f"predict: unknown array {array!r} (expected raw, de, psd, de_grid, "
                                 f"psd_grid, de_image or psd_image)")
    config = _prepare_config(cfg)
    store_cfg = cfg.get("store_config") if isinstance(cfg.get("store_config"), dict) else {}
    if (config.bandpass or config.notch or config.resample) and "conditioning" not in store_cfg:
        logger.warning("%s: the run's store was filtered or resampled by an earlier eegemo, one "
                       "trial at a time; this file's trials are conditioned with the recording "
                       "around them, so windows near trial edges differ from what the model was "
                       "trained on (prepare the store again and retrain for the same inputs)",
                       Path(str(recording.source)).name)
    config = config.replace(features=(feature if feature in ("raw", "de", "psd") else "de",),
                            subjects=None, sessions=None)
    ch_names = list(cfg.get("ch_names") or [])
    trained = _trained_kind(cfg)
    rows, metas = [], []
    warned = False
    no_signal: dict = {}
    for trial in recording.trials:
        names = ch_names or list(trial.ch_names)
        have = getattr(trial, "kind", "raw")
        if trained is not None and have != trained:
            what = {"raw": "raw recordings", "features": f"released features ({config.feature})"}
            raise data_error(recording.source, f"the run was trained on {what[trained]}; features "
                             "of the other kind would be a different input",
                             expected=what[trained], found=what[have])
        if have == "features":
            if feature == "raw":
                raise data_error(recording.source, "the run needs raw EEG windows",
                                 expected="a raw recording", found="precomputed features")
            feat = np.asarray(trial.load(), dtype=np.float64)  # (n_windows, C, B), released
            if feat.ndim == 3:  # channels (or the Bird table's columns) by name, as raw ones
                feat = _pick_channels(trial, ch_names, recording.source,
                                      feat.transpose(1, 0, 2), "channels (feature rows)"
                                      ).transpose(1, 0, 2)
            starts = np.arange(len(feat)) / float(trial.sfreq)
            stops = starts + 1.0 / float(trial.sfreq)
        else:
            data, trim = load_raw_trial(trial, config)
            data = _pick_channels(trial, ch_names, recording.source, data)
            sfreq = float(trial.sfreq)
            out_rate = output_rate(sfreq, config.resample)
            other_rate = bool(cfg.get("sfreq")) and abs(float(cfg["sfreq"]) - out_rate) > 1e-6
            if feature == "raw" and other_rate:
                raise data_error(recording.source, "sampling rate differs from the training store",
                                 expected=f"{cfg['sfreq']} Hz", found=f"{sfreq} Hz")
            if other_rate and not warned:
                warned = True   # band powers need no common rate, but the filtering differed
                logger.warning("%s: %g Hz, the training store's windows were %g Hz; %s is computed "
                               "at the file's rate (prepare with --resample to fix one rate)",
                               Path(str(recording.source)).name, sfreq, float(cfg["sfreq"]), feature)
            arrays, first, sfreq = raw_trial_arrays(data, sfreq, config,
                                                    f"{recording.source} trial {trial.index}",
                                                    no_signal, trim)
            feat = arrays[feature]
            starts = first / sfreq
            stops = starts + config.window
        check_finite(feat, recording.source, f"trial {trial.index}")   # as prepare refuses it
        if array.endswith("_grid"):
            feat = to_grid(feat, names)
        elif array.endswith("_image"):
            feat = to_image(feat, names, size=int(config.image_size or 32))
        n = len(feat)
        rows.append(np.asarray(feat, dtype=np.float32))
        metas.append(pd.DataFrame({
            "recording": str(Path(str(recording.source)).name), "subject": str(recording.subject),
            "session": pd.array([recording.session] * n, dtype="Int64"),
            "trial": int(trial.index), "window": np.arange(n), "start": starts[:n],
            # an unlabelled trial has no label (empty in the CSV), not -1, which is SEED's negative
            "stop": stops[:n], "label": pd.array([trial.label] * n, dtype="Int64")}))
    no_signal_warning(recording.source, no_signal, ch_names or list(recording.ch_names))
    if not rows:
        raise data_error(recording.source, "no trials to predict", expected="at least one trial",
                         found="none")
    return np.concatenate(rows), pd.concat(metas, ignore_index=True)


#: protocols whose folds are each one subject's own models
WITHIN_SUBJECT = ("seed-standard", "trial-kfold", "cross-session")


def _model_groups(metrics: dict, fold: str | None, meta) -> list[tuple[np.ndarray, str | None]]:
    """Which rows which fold models judge: ``[(row mask, subject or None), ...]``.

    Under a within-subject protocol each subject of the input the run has folds of is judged by
    that subject's fold models alone (other subjects' models never saw it and their normalisers
    hold no statistics of it), whether the input is one file or a folder of many subjects; the
    rows of subjects the run never saw, and every row under other protocols, a named fold or a
    final model, by all the models (``None``).
    """
    name = (metrics.get("protocol") or {}).get("name")
    subjects = meta["subject"].astype(str).to_numpy()
    final = bool((metrics.get("model") or {}).get("final_checkpoint"))
    everything = [(np.ones(len(meta), dtype=bool), None)]
    if fold is not None or final or name not in WITHIN_SUBJECT:
        return everything
    from ..datasets._family import subject_key

    per_fold = metrics.get("per_fold") or {}
    # the run's subject of each input subject, compared by value as selections are ("01" is 1)
    trained = {subject_key(f.get("subject")): str(f.get("subject")) for f in per_fold.values()}
    own = {s: trained[subject_key(s)] for s in sorted(set(subjects.tolist()))
           if subject_key(s) in trained}
    if not own:
        return everything
    if set(trained.values()) - set(own.values()):
        logger.info("predict: subject(s) %s: the %s run's folds of that subject only",
                    ", ".join(own), name)
    groups = [(subjects == s, run_subject) for s, run_subject in own.items()]
    rest = ~np.isin(subjects, list(own))
    if rest.any():
        groups.append((rest, None))
    return groups


def _models(run_dir: Path, metrics: dict, fold: str | None,
            subject: str | None = None) -> list[tuple[str, Path | None]]:
    """(model checkpoint, normaliser json) pairs to average (``subject``'s folds only if given)."""
    model = metrics.get("model") or {}
    per_fold = metrics.get("per_fold") or {}
    if fold in (None, "final") and model.get("final_checkpoint"):
        return [(run_dir / model["final_checkpoint"],
                 run_dir / model["final_normalizer"] if model.get("final_normalizer") else None)]
    if fold is not None:
        if fold not in per_fold:
            raise ConfigurationError(f"{run_dir}: no fold {fold!r} (expected one of "
                                     f"{', '.join(list(per_fold)[:10])}{', final' if model.get('final_checkpoint') else ''})")
        names = [fold]
    else:
        names = [n for n, f in per_fold.items()
                 if subject is None or str(f.get("subject")) == subject]
    out = []
    for name in names:
        ck = per_fold[name].get("checkpoint")
        if not ck:
            raise ConfigurationError(f"{run_dir}: fold {name} has no checkpoint (models without "
                                     f"save() cannot predict later)")
        nz = per_fold[name].get("normalizer")
        out.append((run_dir / ck, run_dir / nz if nz else None))
    return out


def _mismatch(saved: Path, file, err: Exception) -> ConfigurationError:
    """A saved normaliser or model refusing the rows computed from ``file``: the run's settings
    in metrics.json (channels, bands, window) no longer give the rows it was fitted on."""
    return ConfigurationError(f"{saved}: does not take the rows computed from {file} with the "
                              f"run's settings (metrics.json damaged?): "
                              f"{first_line(err)}")


def _load_normalizer(path: Path):
    """The fitted normaliser a run saved beside a checkpoint; a missing, unreadable or foreign file
    is refused with one line naming it."""
    from ..preprocess.normalize import Normalizer

    try:
        d = json.loads(Path(path).read_text())
        if not isinstance(d, dict):
            raise ValueError(f"a JSON {type(d).__name__}, not an object")
        return Normalizer.from_dict(d)
    except (OSError, ValueError, ConfigurationError) as err:  # JSONDecodeError is a ValueError
        reason = err.strerror if isinstance(err, OSError) and err.strerror else str(err)
        raise ConfigurationError(f"{path}: not a saved normaliser of this run ({reason})") from None


def _labels_as_the_run(recording, run_names: dict) -> None:
    """Give the trials of a new recording the run's class numbers, matched by name.

    A reader numbers the classes in the order it is asked for them (``--labels T2,T1`` makes T2
    class 0): numbers alone would give the truth column the wrong classes. Where the file's class
    names and the run's share none (other naming, e.g. a store read as eegmmidb's left_fist), the
    numbers are kept as they are.
    """
    file_names = {int(k): str(v) for k, v in (recording.label_names or {}).items()}
    by_name = {str(v): int(k) for k, v in run_names.items()}
    if not file_names or not set(file_names.values()) & set(by_name):
        return
    changed, unknown = set(), set()
    for t in recording.trials:
        if t.label is None:
            continue
        name = file_names.get(int(t.label))
        new = by_name.get(name) if name is not None else None
        if new is None:
            unknown.add(name if name is not None else str(t.label))
        elif new != int(t.label):
            changed.add(name)
        t.label = new
    if unknown:
        logger.warning("predict: %s: events %s are not classes of the run; their truth is left "
                       "empty", recording.source, ", ".join(sorted(unknown)))
    if changed:
        logger.info("predict: %s: classes numbered as the run numbers them (by name)",
                    recording.source)
    recording.label_names = {int(k): str(v) for k, v in run_names.items()}


def _eegmmidb_tasks(names) -> dict[str, list[int]]:
    """eegmmidb runs among file names, by the meaning their T1/T2 have (empty if any is not one)."""
    from ..datasets.generic import _MMIDB, EEGMMIDB_RUNS, _recording_stem

    tasks: dict[str, list[int]] = {}
    for name in names:
        # a file (S001R04.edf) or a store's recording id (generic-S001-s4-S001R04)
        m = _MMIDB.match(_recording_stem(Path(str(name))).rsplit("-", 1)[-1])
        if m is None:
            return {}
        run = int(m["run"])
        if run in EEGMMIDB_RUNS:
            tasks.setdefault(" / ".join(EEGMMIDB_RUNS[run][1:]), []).append(run)
    return tasks


def _refuse_other_eegmmidb_task(run_dir: Path, recordings) -> None:
    """eegmmidb's T1/T2 mean left/right fist in some runs and both fists/feet in others: a run
    trained on one group would call the other group's events by names that mean other things."""
    files = [r.source for r in recordings if any(t.label is not None for t in r.trials)]
    new = _eegmmidb_tasks(files)
    if not new:
        return
    try:
        trained = _eegmmidb_tasks(pd.read_parquet(run_dir / "predictions.parquet",
                                                  columns=["recording"])["recording"].unique())
    except (OSError, ValueError, KeyError) as err:   # ArrowInvalid is a ValueError
        # every run writes it: a run without it is damaged, and the check cannot be made
        logger.warning("predict: %s is unreadable (%s): whether eegmmidb runs %s are the task the "
                       "run was trained on (T1/T2 mean other things in other runs) is not checked",
                       run_dir / "predictions.parquet", first_line(err),
                       sorted(r for v in new.values() for r in v))
        return
    other = sorted(set(new) - set(trained))
    if trained and other:
        runs = sorted(r for t in other for r in new[t])
        where = files[0] if len(files) == 1 else Path(str(files[0])).parent
        raise ConfigurationError(
            f"{where}: eegmmidb runs {runs} (T1/T2 = {other[0]}) are another "
            f"task than the run's training runs {sorted(r for v in trained.values() for r in v)} "
            f"(T1/T2 = {', '.join(sorted(trained))}): their T1/T2 truth would mean other things "
            "(predict them with --unlabelled to get the run's classes for their windows without "
            "that truth, or select runs of the same task with --sessions)")


def predict(run_dir: str | os.PathLike, file: str | os.PathLike, *, dataset: str | None = None,
            fold: str | None = None, device: str | None = "auto", transductive: bool | None = None,
            **read_kwargs: Any) -> pd.DataFrame:
    """Per-window emotion probabilities for a recording, from a trained run.

    Parameters
    ----------
    run_dir : path-like
        A run folder written by :func:`eegemo.evaluation.run`.
    file : path-like
        A recording (or folder) that :func:`eegemo.datasets.read` can read; it needs the channels of
        the training store.
    dataset : str | None
        Reader to use (default: detected).
    fold : str | None
        Use this fold's model, or ``"final"`` for the model fitted on all the data (runs with
        ``fit_final=True``). Default: the final model where there is one, else the average of the
        probabilities of all fold models.
    device : str | None
        Device for torch models.
    transductive : bool | None
        Z-score a subject (session) the run never trained on with the file's own statistics (its
        features, never labels), instead of the pooled training statistics. Default: as the run
        was made (``eegemo train --transductive``). Needs a run normalised per subject or session.
    **read_kwargs
        Passed to :func:`eegemo.datasets.read`, over the ``read_options`` the training store was
        prepared with (e.g. a generic recording's ``labels=`` and ``duration=``). A generic
        recording without the events of those labels is read whole, as one unlabelled trial
        (``unlabelled="auto"``); ``unlabelled=True`` reads it whole even where it has them.

    Returns
    -------
    probs : DataFrame
        One row per window: recording, subject, session, trial, window, start, stop (s from trial
        start), label (of the file, if any), ``pred`` (label), ``pred_name`` and one
        ``p_<emotion>`` column per class.
    """
    from tqdm.auto import tqdm

    from ..datasets import DATASETS, detect_dataset, read
    from ..models import load_model

    run_dir = Path(run_dir)
    metrics = load_run(run_dir)
    cfg = metrics["config"]
    array = cfg["array"]
    pcfg = _prepare_config(cfg)
    kind = _trained_kind(cfg)
    defaults = dict(pcfg.read_options or {})
    if kind is not None:   # read what the model was trained on: raw signal, or the same released feature
        defaults["kind"] = kind
        if kind == "features":
            defaults["feature"] = pcfg.feature
    dataset = dataset or detect_dataset(file)   # once: read() would detect it again
    trained_on = cfg.get("store_dataset") or pcfg.dataset
    if (isinstance(trained_on, str) and pcfg.read_options
            and DATASETS.get(trained_on, trained_on) != DATASETS.get(dataset, dataset)):
        # the store's reader options (labels=T1,T2, tmin=...) are another reader's (SEED-GER and
        # SEED-FRA share one reader, and its options: those are kept)
        logger.info("predict: %s is read as %s, the run's store as %s: the store's reader options "
                    "(%s) are not applied", file, dataset, trained_on,
                    ", ".join(sorted(pcfg.read_options)))
        for key in pcfg.read_options:
            defaults.pop(key, None)
    if dataset == "generic":
        # a new recording need not hold the events the training files were cut at: without them
        # the whole file is one unlabelled trial (logged); unlabelled=True forces that, False refuses
        defaults.setdefault("unlabelled", "auto")
        # the store's tmin/duration cut epochs of an epoched file where they fit, else whole
        # epochs (they were chosen for the training recordings, perhaps continuous ones)
        defaults.setdefault("epochs_window", "fit")
        if read_kwargs.get("unlabelled") is True:   # the whole file: not the training trials' span
            for key in ("tmin", "duration"):
                defaults.pop(key, None)
    recordings = read(file, dataset, **{**defaults, **read_kwargs})
    if not recordings:
        raise data_error(file, "no recording found", expected="an EEG recording", found="nothing")
    _refuse_other_eegmmidb_task(run_dir, recordings)
    for r in recordings:
        _labels_as_the_run(r, cfg.get("label_names") or {})
    parts = [recording_arrays(r, cfg, array) for r in recordings]
    X = np.concatenate([p[0] for p in parts])
    meta = pd.concat([p[1] for p in parts], ignore_index=True)
    labels = list(cfg["labels"])
    names = {str(k): v for k, v in (cfg.get("label_names") or {}).items()}
    scope = cfg.get("normalize")
    if transductive is None:
        transductive = bool(cfg.get("transductive", False))
    elif transductive and scope not in ("subject", "session"):
        raise ConfigurationError(f"{run_dir}: transductive normalisation needs a run normalised per "
                                 f"subject or session (found normalize={scope!r})")
    all_groups = _groups(meta, np.arange(len(meta)), scope)   # the keys the run's normalisers hold
    proba = np.zeros((len(X), len(labels)))
    col = {lab: i for i, lab in enumerate(labels)}
    jobs = [(rows, _models(run_dir, metrics, fold, subject))
            for rows, subject in _model_groups(metrics, fold, meta)]
    unseen: dict[str, list[str]] = {}   # normaliser group -> models that never saw it
    n_models = sum(len(pairs) for _, pairs in jobs)
    bar = tqdm(total=n_models, desc="models", unit="model", disable=progress_disabled())
    for rows, pairs in jobs:
        Xg, meta_g = X[rows], meta[rows]
        groups = None if all_groups is None else all_groups[rows]
        for ck, nz in pairs:
            Xi = Xg
            if nz is not None:
                norm = _load_normalizer(nz)
                if groups is not None and transductive:
                    norm.fit_unlabelled(Xg, groups)
                elif groups is not None:
                    for g in sorted(set(np.unique(groups).tolist()) - set(norm.group_stats_)):
                        unseen.setdefault(str(g), []).append(ck.stem)
                try:
                    Xi = norm.transform(Xg, groups)
                except ConfigurationError as err:   # rows of another shape than the run's
                    raise _mismatch(nz, file, err) from None
            if cfg.get("seq_len"):
                tids = (meta_g["recording"] + "#" + meta_g["trial"].astype(str)).factorize()[0]
                Xi = to_sequences(Xi, tids, int(cfg["seq_len"]))
            model = load_model(ck, device=device)
            if cfg.get("input_kind") and getattr(model, "input_kind", None) is None:
                Xi = Xi.reshape(len(Xi), -1)
            try:
                p = np.asarray(model.predict_proba(Xi), dtype=np.float64)
            except ConfigurationError as err:
                raise _mismatch(ck, file, err) from None
            block = np.zeros((len(Xg), len(labels)))
            for j, c in enumerate(np.asarray(model.classes_).tolist()):
                block[:, col[c]] = p[:, j]
            proba[rows] += block / len(pairs)
            bar.update()
    bar.close()
    if unseen:
        models = sorted({m for ms in unseen.values() for m in ms})
        logger.warning("predict: %s %s not in the training data of %s: z-scored with the pooled "
                       "training statistics (transductive=True / --transductive uses the file's "
                       "own)", scope, ", ".join(sorted(unseen)[:5]) + (" ..." if len(unseen) > 5
                                                                      else ""),
                       f"the run's {len(models)} model(s)" if len(models) > 2
                       else ", ".join(models))
    out = meta.copy()
    pred = np.asarray(labels)[np.argmax(proba, axis=1)]
    out["pred"] = pred
    out["pred_name"] = [names.get(str(v), str(v)) for v in pred]
    for j, lab in enumerate(labels):
        out[f"p_{names.get(str(lab), str(lab))}"] = proba[:, j]
    logger.info("predict: %d window(s) from %d recording(s) with %d model(s)", len(out),
                len(recordings), n_models)
    return out
