"""Generator runs on a store: train (writing a run folder), generate files, evaluate synthetic data.

A run folder written by :func:`train_generator` holds

``config.json``
    model, parameters, store path and array, channel names, rate, bands, label names, the hold-out
    protocol and its folds, row counts, seed, device, training time, ``simulated`` (from the store).
``history.json``
    losses per epoch.
``generator.pt``
    weights-only checkpoint (:func:`eegemo.generative.load_generator`).
``train_rows.npy`` / ``holdout_rows.npy``
    store rows the generator was trained on / never saw.

Hold-out: by default the generator is trained on the *training* trials of the ``"seed-standard"``
protocol (union over subjects and sessions) and never sees the test trials, so :func:`synth_eval` can
test TSTR, TRTR, C2ST and the augmentation gain on real trials that the generator did not see.
"""

from __future__ import annotations

import json
import os
import time
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .._files import written_aside
from .._logging import logger
from ..errors import ConfigurationError, check_output_file, data_error, first_line
from ..store._store import manifest_hash
from ..generative import GENERATORS, default_array, get_generator, load_generator
from .splits import trial_ids

if TYPE_CHECKING:
    from ..preprocess.features import BandsLike
    from ..store import Store

__all__ = ["train_generator", "generate", "synth_eval", "load_run", "feature_view"]

CHECKPOINT = "generator.pt"
_HOLDOUT = ("seed-standard", "trial-kfold", "none")


def _open(store):
    from ..store import open_store

    return open_store(store) if isinstance(store, (str, os.PathLike)) else store


def _write_json(path: Path, obj: Any) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(obj, indent=2, default=_json_default))
    os.replace(tmp, path)


def _json_default(o: Any):
    if isinstance(o, np.generic):
        return o.item()
    if isinstance(o, np.ndarray):
        return o.tolist()
    if isinstance(o, Path):
        return str(o)
    raise TypeError(f"not JSON serialisable: {type(o).__name__}")


def _simulated(store) -> bool:
    if bool(store.manifest.get("simulated", False)):
        return True
    idx = store.index
    return bool("simulated" in idx and idx["simulated"].astype(bool).any())


def _load_rows(path: Path, n_index: int) -> np.ndarray:
    """Read a run's ``train_rows.npy`` / ``holdout_rows.npy``: 1-D store row positions, no pickles."""
    if not path.is_file():
        raise data_error(path, "missing row list of the generator run",
                         expected="the file `eegemo train-generator` wrote", found="no file")
    with open(path, "rb") as fh:
        if fh.read(6) != b"\x93NUMPY":
            raise data_error(path, "unreadable row list", expected="a .npy array of store rows",
                             found="not a .npy file")
    try:
        rows = np.load(path, allow_pickle=False)
    except (ValueError, OSError, EOFError) as err:
        raise data_error(path, "unreadable row list", expected="a .npy array of store rows",
                         found=str(err).split(". ")[0]) from None
    if rows.ndim != 1 or (rows.size and rows.dtype.kind not in "iu"):
        raise data_error(path, "not a row list", expected="a 1-D integer array",
                         found=f"{rows.ndim}-D {rows.dtype} array")
    rows = rows.astype(np.int64)
    if rows.size and (rows.min() < 0 or rows.max() >= n_index):
        raise data_error(path, "row outside the store; is it the store the run was trained on?",
                         expected=f"rows 0..{n_index - 1}",
                         found=f"rows {int(rows.min())}..{int(rows.max())}")
    return rows


def _holdout_folds(index, protocol: str, random_state: int) -> list:
    """The folds whose test trials the generator must not see.

    Folds are kept in order unless one would train on trials another kept fold tests (or test
    trials another trains on): SEED's and SEED-IV's one fold per session are all kept, the k-fold
    protocols (``trial-kfold``, SEED-V's blocks of ``seed-standard``) keep the first per subject,
    so the generator always has training trials.
    """
    from .splits import split

    kept, train_seen, test_seen = [], np.zeros(len(index), bool), np.zeros(len(index), bool)
    for f in split(index, protocol, val_fraction=0.0, random_state=random_state):
        if train_seen[f.test_rows].any() or test_seen[f.train_rows].any():
            continue
        kept.append(f)
        train_seen[f.train_rows] = True
        test_seen[f.test_rows] = True
    return kept


def _split_rows(index, holdout: str, random_state: int) -> tuple[np.ndarray, np.ndarray, list[str]]:
    n = len(index)
    if holdout == "none":
        return np.arange(n), np.zeros(0, np.int64), []
    folds = _holdout_folds(index, holdout, random_state)
    test = np.unique(np.concatenate([f.test_rows for f in folds]))
    train = np.setdiff1d(np.unique(np.concatenate([f.train_rows for f in folds])), test)
    return train.astype(np.int64), test.astype(np.int64), [f.name for f in folds]


def _pick_array(store, model: str, array: str | None) -> str:
    arrays = tuple(store.arrays)
    if array is None:
        array = default_array(model)
        if array not in arrays and model == "dense-gan":
            array = next((a for a in ("de_grid", "de", "raw") if a in arrays), array)
    if array not in arrays:
        raise ConfigurationError(f"{store.path}: array {array!r} is not in the store (expected one of "
                                 f"{', '.join(arrays)}); choose another with array=/--array or "
                                 f"prepare the store with it")
    return array


def train_generator(store: str | os.PathLike | Store, model: str, out: str | os.PathLike, *,
                    epochs: int | None = None, array: str | None = None, params: dict | None = None,
                    holdout: str = "seed-standard", condition_subject: bool = False,
                    random_state: int = 0, device: str = "auto", overwrite: bool = False,
                    verbose: bool = True) -> Path:
    """Train a generator on a store's rows and write a run folder.

    Parameters
    ----------
    store : path-like | Store
        A store from :func:`eegemo.store.prepare`.
    model : str
        ``"dense-gan"``, ``"wgan-4d"``, ``"wgan-raw"`` or ``"ddpm"``.
    out : path-like
        Run folder to write (must not exist unless ``overwrite``).
    epochs : int | None
        Training epochs (default: the model's).
    array : str | None
        Store array (default ``"de_grid"`` for the dense GAN and the 4-D WGAN, ``"raw"`` for the
        raw-window models).
    params : dict | None
        Further generator parameters (widths, ``lr``, ``batch_size`` ...). On the ``psd`` array
        the feature generators model log powers (``log_scale=True``) unless this says otherwise.
    holdout : {"seed-standard", "trial-kfold", "none"}
        Protocol whose test trials are kept from the generator (see the module docstring);
        ``"none"`` trains on every row (synth-eval then has no unseen real trials).
    condition_subject : bool
        Condition the generator on the subject too.
    random_state : int
        Seed of the generator and of the hold-out split.
    device : str
        ``"auto"``, ``"cpu"``, ``"cuda"``.
    overwrite : bool
        Replace an existing run folder.
    verbose : bool
        Progress bar with the losses.

    Returns
    -------
    out : Path
        The run folder.
    """
    from .. import __version__

    store = _open(store)
    if model not in GENERATORS:
        raise ConfigurationError(f"unknown generator {model!r}: allowed values are "
                                 f"{', '.join(GENERATORS)}")
    if holdout not in _HOLDOUT:
        raise ConfigurationError(f"holdout must be one of {', '.join(_HOLDOUT)}, found {holdout!r}")
    from .runner import check_run_folder

    out = Path(out)
    check_run_folder(out, overwrite, ("config.json", "generator.pt"), "eegemo train-generator")
    array = _pick_array(store, model, array)
    index = store.index
    train_rows, holdout_rows, fold_names = _split_rows(index, holdout, random_state)
    gparams = dict(params or {})
    if epochs is not None:
        gparams["epochs"] = int(epochs)
    gparams.update(random_state=random_state, device=device, verbose=verbose,
                   condition_subject=condition_subject,
                   label_names={int(k): str(v) for k, v in store.label_names.items()})
    if (array == "psd" and "log_scale" not in gparams
            and "log_scale" in get_generator(model).get_params()):
        # band powers: model their log, so samples stay positive (not psd grids or images: their
        # empty cells hold zeros)
        gparams["log_scale"] = True
    gen = get_generator(model, **gparams)
    gen._check_common()       # epochs, batch size, lr: refused before the rows are read
    X = store.load(array, train_rows)
    y = index["label"].to_numpy(np.int64)[train_rows]
    subjects = index["subject"].astype(str).to_numpy()[train_rows] if condition_subject else None
    logger.info("training %s on %d rows of %s %s", model, len(X), array, X.shape[1:])
    gen.fit(X, y, subjects=subjects)
    # written aside, then renamed into place: an earlier run being replaced survives a failed write
    # an earlier generator's synth-eval results would read as this one's (info, report): dropped
    with written_aside(out, drop=_DERIVED) as work:
        gen.save(work / CHECKPOINT)
        np.save(work / "train_rows.npy", train_rows)
        np.save(work / "holdout_rows.npy", holdout_rows)
        import torch

        config = {
            "model": model, "array": array, "epochs": int(gen.epochs),
            "params": {k: v for k, v in gen.get_params().items() if k != "label_names"},
            "store": str(Path(store.path).resolve()),
            "store_manifest_hash": manifest_hash(store.manifest), "input_shape": list(X.shape[1:]),
            "ch_names": list(store.ch_names), "sfreq": store.sfreq,
            "bands": [[b.name, b.low, b.high] for b in store.bands],
            "label_names": {str(k): v for k, v in store.label_names.items()},
            "holdout": holdout, "holdout_folds": fold_names, "n_train": int(len(train_rows)),
            "n_holdout": int(len(holdout_rows)), "condition_subject": bool(condition_subject),
            "subjects": list(gen.subjects_), "random_state": random_state,
            "device": str(gen.device_), "fit_seconds": float(gen.fit_seconds_),
            "simulated": _simulated(store),
            "versions": {"eegemo": __version__, "torch": str(torch.__version__)},
        }
        _write_json(work / "config.json", config)
        _write_json(work / "history.json", gen.history_)
    logger.info("wrote generator run %s (%.1f s)", out, gen.fit_seconds_)
    return out


def load_run(run: str | os.PathLike, *, device: str | None = None) -> tuple[dict, Any]:
    """Read a run folder's configuration and generator.

    Parameters
    ----------
    run : path-like
        Folder written by :func:`train_generator`.
    device : str | None
        Device override for the generator.

    Returns
    -------
    config : dict
    generator : BaseGenerator
    """
    config = read_config(run)
    return config, load_generator(Path(run) / CHECKPOINT, device=device)


def read_config(run: str | os.PathLike) -> dict:
    """A generator run's ``config.json``, checked (no weights are loaded).

    Raises
    ------
    DataFormatError
        If the folder holds no readable generator configuration (naming a recognition run when it
        is one).
    """
    from .._files import folder_kind

    run = Path(run)
    cfg_path = run / "config.json"
    if not run.exists():
        raise data_error(run, "path not found", expected="a generator run folder written by "
                         "`eegemo train-generator`", found="nothing at this path")
    if not cfg_path.is_file():
        found = {"recognition run": "no config.json: a recognition run of `eegemo train`",
                 "store": "no config.json: a store of `eegemo prepare` (train a generator on it "
                          "with `eegemo train-generator STORE --model M --out GEN`)"
                 }.get(folder_kind(run), "no config.json")
        raise data_error(run, "not a generator run folder", expected="config.json and generator.pt "
                         "written by `eegemo train-generator`", found=found)
    try:
        config = json.loads(cfg_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:   # JSON and UTF-8 decoding errors are ValueErrors
        raise data_error(cfg_path, "unreadable run configuration", expected="JSON",
                         found=first_line(err)) from None
    if not isinstance(config, dict) or "model" not in config or "array" not in config:
        raise data_error(cfg_path, "not a generator run configuration",
                         expected="keys model and array", found="other content")
    kinds = {"model": str, "array": str, "label_names": dict, "ch_names": list,
             "input_shape": list, "sfreq": (int, float)}
    for key, kind in kinds.items():   # a hand-edited file: one line, not a TypeError later
        v = config.get(key)
        if v is not None and (not isinstance(v, kind) or isinstance(v, bool)):
            raise data_error(cfg_path, "damaged run configuration", expected=f"{key} as "
                             f"{'a number' if kind == (int, float) else kind.__name__}",
                             found=f"{v!r:.60}")
    return config


def _pick_matching(wanted: np.ndarray, pool: np.ndarray, pool_keys: np.ndarray, rng,
                   fallback=None) -> np.ndarray:
    """For each ``wanted`` key, a row of ``pool`` whose key (``pool_keys``, aligned with ``pool``)
    is the same, drawn at random without replacement while those rows last; where the pool has
    none of a key, ``fallback(key)`` gives the rows to draw from instead (None: -1 is returned)."""
    out = np.full(len(wanted), -1, dtype=np.int64)
    for key in np.unique(wanted):
        at = np.flatnonzero(wanted == key)
        have = pool[pool_keys == key]
        if not len(have) and fallback is not None:
            have = fallback(key)
        if len(have):
            out[at] = rng.choice(have, len(at), replace=len(at) > len(have))
    return out


def _drawn_like(rows: np.ndarray, pool: np.ndarray, labels: np.ndarray, subjects, rng
                ) -> np.ndarray:
    """For each of ``rows``, a row of ``pool`` with its label (and subject, where ``subjects`` is
    given; the label alone where the pool has none of that subject), drawn at random without
    replacement while the pool lasts."""
    keys = (labels if subjects is None else
            np.char.add(np.char.add(labels.astype(str), "\x00"), subjects.astype(str)))
    label_of = dict(zip(keys[rows].tolist(), labels[rows].tolist(), strict=True))

    def same_label(key):          # that subject has no training row of this label
        have = pool[labels[pool] == label_of[key]]
        return have if len(have) else pool

    return _pick_matching(keys[rows], pool, keys[pool], rng, same_label)


# ---------------------------------------------------------------------------------------- generate
def _to_mne_epochs(X_uv: np.ndarray, config: dict, label: str, code: int):
    import mne

    from ..channels import make_montage

    ch_names = list(config["ch_names"])
    sfreq = config.get("sfreq")
    if not sfreq:
        raise ConfigurationError("the run's store has no sampling rate of raw windows")
    info = mne.create_info(ch_names, float(sfreq), ch_types="eeg")
    n, _, s = X_uv.shape
    events = np.c_[np.arange(n) * s, np.zeros(n, int), np.full(n, code)].astype(int)
    epochs = mne.EpochsArray(X_uv.astype(np.float64) * 1e-6, info, events=events, tmin=0.0,
                             event_id={label: code}, verbose="error")
    montage = make_montage(ch_names)
    if montage.ch_names:
        epochs.set_montage(montage, on_missing="ignore", verbose="error")
    return epochs


def _to_mne_raw(X_uv: np.ndarray, config: dict, label: str):
    import mne

    from ..channels import make_montage

    ch_names = list(config["ch_names"])
    sfreq = float(config["sfreq"])
    n, c, s = X_uv.shape
    data = X_uv.transpose(1, 0, 2).reshape(c, n * s).astype(np.float64) * 1e-6
    raw = mne.io.RawArray(data, mne.create_info(ch_names, sfreq, ch_types="eeg"), verbose="error")
    raw.set_annotations(mne.Annotations(onset=np.arange(n) * s / sfreq, duration=[s / sfreq] * n,
                                        description=[label] * n))
    montage = make_montage(ch_names)
    if montage.ch_names:
        raw.set_montage(montage, on_missing="ignore", verbose="error")
    return raw


_FORMATS = (("-epo.fif", "epochs"), ("_epo.fif", "epochs"), ("-epo.fif.gz", "epochs"),
            ("_epo.fif.gz", "epochs"), (".fif", "fif"), (".fif.gz", "fif"), (".npy", "npy"),
            (".edf", "edf"), (".EDF", "edf"))


def _output_format(out: Path) -> str:
    """``"npy"``, ``"fif"``, ``"epochs"`` (MNE's ``-epo.fif`` / ``_epo.fif``) or ``"edf"`` from
    the file name; MNE's FIF names and NumPy's ``.npy`` are lower case."""
    for ending, fmt in _FORMATS:
        if out.name.endswith(ending):
            return fmt
    suffix = "".join(out.suffixes[-2:]) if out.name.lower().endswith(".gz") else out.suffix
    raise ConfigurationError(f"{out}: unsupported output format (expected a name ending in .npy, "
                             f".fif, .fif.gz or .edf, found {suffix or 'no suffix'})")


def _check_count(n: Any) -> int:
    if isinstance(n, (bool, np.bool_)) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ConfigurationError(f"n: number of windows to generate must be a positive integer, "
                                 f"found {n!r}")
    return int(n)


def _check_fits_in_memory(n: int, row_shape: Any) -> None:
    """Refuse, before sampling, ``n`` windows that would not fit in half this machine's memory
    (they are sampled in memory, then written): a typo such as ``--n 100000000``."""
    try:
        row = int(np.prod([int(v) for v in row_shape]))
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (TypeError, ValueError, OSError, AttributeError):
        return   # unknown row shape or platform: nothing to compare with
    need = 4 * row * n   # float32 samples
    if total > 0 and need > total // 2:
        raise ConfigurationError(
            f"n: {n} windows of shape {tuple(int(v) for v in row_shape)} would take "
            f"{need / 2 ** 30:.1f} GiB in memory, more than half of this machine's "
            f"{total / 2 ** 30:.0f} GiB (expected at most {total // 2 // (4 * row)} windows a "
            f"call; generate the rest in further calls)")


def generate(run: str | os.PathLike, emotion: Any, n: int, out: str | os.PathLike, *,
             random_state: int | None = 0, subject: str | None = None,
             device: str | None = None) -> Path:
    """Sample synthetic windows of one emotion from a run and write them to a file.

    Parameters
    ----------
    run : path-like
        Folder written by :func:`train_generator`.
    emotion : int | str
        Label value or name (e.g. ``"positive"``).
    n : int
        Number of windows (at least 1).
    out : path-like
        ``.npy`` (any array: (n, *row shape) in the store's units, µV for raw windows), ``.fif``
        (raw windows: MNE Raw, windows back to back with one annotation per window; a name ending in
        ``-epo.fif`` or ``_epo.fif`` writes MNE Epochs instead; ``.fif.gz`` compresses) or ``.edf``
        (raw windows, EDF+ via :func:`mne.export.export_raw`). FIF and EDF hold volts, channel
        names and the rate; FIF also holds the montage (EDF has no electrode positions).
    random_state : int | None
        Seed of the draw.
    subject : str | None
        Subject (runs trained with ``condition_subject`` only).
    device : str | None
        Device override.

    Returns
    -------
    out : Path
        The file written.
    """
    out = Path(out)
    fmt = _output_format(out)
    n = _check_count(n)
    check_output_file(out, data_ok=True)   # it writes .npy/.fif/.edf itself
    config, gen = load_run(run, device=device)
    if fmt != "npy" and config["array"] != "raw":
        raise ConfigurationError(f"{out}: FIF/EDF export needs raw windows, but this run generates "
                                 f"{config['array']!r} rows (expected array 'raw'; write .npy)")
    _check_fits_in_memory(n, config.get("input_shape"))
    X = gen.sample(n, emotion, random_state=random_state, subject=subject)
    out.parent.mkdir(parents=True, exist_ok=True)
    code = int(gen.classes_[gen._class_index(emotion)])
    label = str((gen.label_names or {}).get(code, code))
    if fmt == "npy":
        np.save(out, X)
    elif fmt == "epochs":
        _to_mne_epochs(X, config, label, code).save(out, overwrite=True, verbose="error")
    elif fmt == "fif":
        raw = _to_mne_raw(X, config, label)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")   # MNE's file-name convention warning (raw.fif)
            raw.save(out, overwrite=True, verbose="error")
    else:
        import mne

        raw = _to_mne_raw(X, config, label)
        mne.export.export_raw(out, raw, fmt="edf", overwrite=True, verbose="error")
    logger.info("wrote %d synthetic %s windows to %s%s", len(X), label, out,
                " (generator trained on simulated data)" if config.get("simulated") else "")
    return out


#: files of a generator run folder that describe the generator in it (written by synth-eval, read by
#: ``eegemo info`` and the report): never kept when the run is replaced
_DERIVED = frozenset({"synth_eval.json", "synth-eval.json", "metrics.json"})


# -------------------------------------------------------------------------------------- synth_eval
def feature_view(X: np.ndarray, array: str, sfreq: float | None,
                 bands: BandsLike = None) -> np.ndarray:
    """The features the metrics compare: log10 band power (n, C, B) for raw windows (and for PSD
    arrays), else ``X`` (DE is already a log power).

    Parameters
    ----------
    X : ndarray
        Rows of a store array.
    array : str
        Its name (``"raw"`` → band powers).
    sfreq : float | None
        Rate of raw windows.
    bands : sequence | None
        Bands.

    Returns
    -------
    features : ndarray of float32
    """
    from .synthetic import band_log_power

    if array == "raw":
        return band_log_power(X, sfreq, bands).astype(np.float32)
    if array.startswith("psd"):     # linear band power → log10
        return np.log10(np.maximum(np.asarray(X, dtype=np.float64), 1e-30)).astype(np.float32)
    return np.asarray(X, dtype=np.float32)


def _fid(store, array, train_rows, X_train, y_train, X_real, X_fake, fid_model, random_state,
         device) -> tuple[float, str]:
    from ..preprocess.normalize import Normalizer
    from .synthetic import frechet_distance

    if fid_model is None:
        fid_model = {"de_grid": "ccnn", "psd_grid": "ccnn", "raw": "eegnet"}.get(array)
    if fid_model in (None, "features"):
        norm = Normalizer("global").fit(X_train)
        return (frechet_distance(norm.transform(X_real), norm.transform(X_fake)),
                "standardised features (no recogniser for this array)")
    from ..models import get_model

    params: dict[str, Any] = {"max_epochs": 15, "random_state": random_state, "device": device}
    if fid_model == "ccnn":
        params.update(filters=(32, 64), hidden=128)
    elif fid_model == "eegnet":
        params.update(sfreq=store.sfreq)
    norm = Normalizer("global").fit(X_train)
    rec = get_model(fid_model, **params).fit(norm.transform(X_train), y_train)
    fr = rec.embed(norm.transform(X_real))
    ff = rec.embed(norm.transform(X_fake))
    return frechet_distance(fr, ff), f"{fid_model} penultimate layer (trained on the training rows)"


def _boosted_classifier(random_state: int):
    """The classifier of the non-linear C2ST: histogram gradient boosting, early stopping off."""
    from sklearn.ensemble import HistGradientBoostingClassifier

    return HistGradientBoostingClassifier(max_iter=200, learning_rate=0.1, early_stopping=False,
                                          random_state=random_state)


def psd_distance_note(moments: list[str], distance: float, floor: float | None) -> str:
    """What a PSD distance means for a generator with condition moments on (``moments``).

    Such samples carry their condition's training mean (spectrum) by construction, so the distance
    sits near its real floor and ranks nothing; where it does not (more than twice the floor and
    1 dB above it), the construction did not hold and the note says that instead.
    """
    what = "spectrum" if moments == ["condition_spectrum"] else "features"
    if floor is None or distance <= max(2.0 * floor, floor + 1.0):
        return (f"{' and '.join(moments)} on: samples have their condition's training mean {what} "
                "by construction, so the PSD distance sits near its real floor and does not rank "
                "generators; the C2STs do")
    return (f"{' and '.join(moments)} on: samples should have their condition's training mean "
            f"{what} by construction, yet the PSD distance is {distance:.2f} dB against a real "
            f"floor of {floor:.2f}: the networks' output was too weak at some frequencies to be "
            "restored (under-trained? train longer)")


def synth_eval(run: str | os.PathLike, store: str | os.PathLike | Store,
               out_json: str | os.PathLike | None = None, *, model: str = "logreg",
               fid_model: str | None = None, augmentation: bool = True,
               aug_ratio: float = 1.0, max_rows: int = 20000, random_state: int = 0,
               device: str | None = None) -> dict[str, Any]:
    """Compute realism and usefulness metrics of a generator run against its store.

    Synthetic rows are drawn with the class counts of the real rows they are compared with. Raw
    windows are compared through their log10 band powers (:func:`feature_view`).

    Parameters
    ----------
    run : path-like
        Folder written by :func:`train_generator`.
    store : path-like | Store
        The store the run was trained on.
    out_json : path-like | None
        JSON file to write.
    model : str
        Recogniser of TSTR/TRTR and of the augmentation gain, on the features (default
        ``"logreg"``).
    fid_model : str | None
        Recogniser whose penultimate layer gives the Fréchet features (default ``"ccnn"`` for grids,
        ``"eegnet"`` for raw windows, standardised features otherwise); ``"features"`` uses the
        standardised features (band log powers for raw windows) without a recogniser.
    augmentation : bool
        Compute the augmentation gain over the run's hold-out folds.
    aug_ratio : float
        Synthetic windows added per real training window.
    max_rows : int
        At most this many real rows (and as many synthetic) enter each comparison.
    random_state : int
        Seed of sampling, subsampling and recognisers.
    device : str | None
        Device of the generator and of the FID recogniser.

    Returns
    -------
    metrics : dict
        Keys ``c2st`` (cross-validated over whole trials, ``c2st_folds="trials"``), ``psd_distance``
        (dB), ``c2st_real_floor`` and ``psd_distance_real_floor`` (the same measures with real
        windows of the generator's training trials in the samples' place, drawn with the held-out
        rows' emotions, and subjects for a subject-conditioned generator, and grouped like the
        samples: what a generator that reproduced its training data would score, the floor of any
        generator; ``real_floor_method`` says so), ``c2st_nonlinear`` and
        ``c2st_nonlinear_real_floor`` (the same test with gradient-boosted trees instead of logistic
        regression), ``topomap_correlation``, ``fid``, ``tstr``, ``trtr``,
        ``tstr_trtr_ratio``, ``augmentation_gain`` (with ``gain_over_control``: the gain over as many
        real windows of the generator's other training trials), ``diversity``, ``config``, ``protocol``,
        ``simulated``, ``features``, ``n_real``, ``n_fake``, ``seconds``.
    """
    from . import synthetic as M

    t0 = time.perf_counter()
    if out_json is not None:
        check_output_file(out_json)
    if augmentation and not (isinstance(aug_ratio, (int, float, np.integer, np.floating))
                             and np.isfinite(aug_ratio) and aug_ratio > 0):
        raise ConfigurationError(f"synth-eval: aug_ratio (synthetic windows per real training "
                                 f"window) must be a number > 0, found {aug_ratio!r}")
    if not isinstance(max_rows, (int, np.integer)) or isinstance(max_rows, bool) or max_rows < 1:
        raise ConfigurationError(f"synth-eval: max_rows must be a positive integer, found "
                                 f"{max_rows!r}")
    config, gen = load_run(run, device=device)
    store = _open(store)
    run = Path(run)
    array = config["array"]
    if array not in store.arrays or list(store.shape(array)[1:]) != list(config["input_shape"]):
        raise ConfigurationError(f"{store.path}: store does not match run {run} (expected array "
                                 f"{array!r} of rows {config['input_shape']}, found arrays "
                                 f"{', '.join(store.arrays)})")
    trained_on, given = config.get("store_manifest_hash"), manifest_hash(store.manifest)
    if trained_on and trained_on != given:   # runs written before the hash existed: rows checked only
        raise ConfigurationError(
            f"{store.path}: not the store run {run} was trained on, or prepared again since (expected "
            f"manifest hash {trained_on}, found {given}); pass that store or train the generator again")
    index = store.index
    train_rows = _load_rows(run / "train_rows.npy", len(index))
    hold_rows = _load_rows(run / "holdout_rows.npy", len(index))
    hold_set = set(hold_rows.tolist())
    rng = np.random.default_rng(random_state)
    seen_by_generator = False
    if not len(hold_rows):
        logger.warning("run %s was trained on every row: metrics compare against rows the "
                       "generator saw", run)
        hold_rows, seen_by_generator = train_rows, True

    def cap(rows):
        return np.sort(rng.choice(rows, max_rows, replace=False)) if len(rows) > max_rows else rows

    tr, ho = cap(train_rows), cap(hold_rows)
    labels = index["label"].to_numpy(np.int64)
    subj = index["subject"].astype(str).to_numpy()
    sfreq, bands = store.sfreq, store.bands
    cond_subj = bool(config.get("condition_subject"))

    def fake_like(rows, seed):
        return gen.sample_like(labels[rows], random_state=seed,
                               subjects=subj[rows] if cond_subj else None)

    X_tr_raw, X_ho_raw = store.load(array, tr), store.load(array, ho)
    fid_inputs = (X_tr_raw, X_ho_raw) if fid_model != "features" else None
    F_tr_raw = fake_like(tr, int(rng.integers(2**31 - 1)))
    F_ho_raw = fake_like(ho, int(rng.integers(2**31 - 1)))
    feat = lambda a: feature_view(a, array, sfreq, bands)  # noqa: E731
    X_tr, X_ho, F_tr, F_ho = feat(X_tr_raw), feat(X_ho_raw), feat(F_tr_raw), feat(F_ho_raw)
    y_tr, y_ho = labels[tr], labels[ho]
    kind = "de" if array.startswith("de") else "log"
    scale = 1.0 if kind == "de" else 10.0     # DE: dB inside psd_distance; log10 powers → dB
    result: dict[str, Any] = {}
    # C2ST folds by trial: a synthetic row goes with the trial of the real row it was drawn like
    trials = trial_ids(index)
    g_ho = trials[ho]
    result["c2st"] = M.c2st(X_ho, F_ho, random_state=random_state, groups_real=g_ho,
                            groups_fake=g_ho)
    result["psd_distance"] = scale * M.psd_distance(X_ho, F_ho, kind=kind)
    # A non-linear C2ST (gradient-boosted trees) on the same features: it also sees differences
    # in spread, skew and interactions that the linear test, which mostly sees means, misses.
    boosted = _boosted_classifier(random_state)
    result["c2st_nonlinear"] = M.c2st(X_ho, F_ho, random_state=random_state, classifier=boosted,
                                      groups_real=g_ho, groups_fake=g_ho)
    # The same measures with *real* windows of the generator's training trials in the synthetic
    # ones' place, drawn like them (each held-out row's emotion, and subject for a generator
    # conditioned on subjects) and grouped like them: what a generator that reproduced its
    # training data would score, the floor any generator is judged against. (Training trials as
    # they are would also measure their other label mix and subjects, which no sample sees.)
    if not seen_by_generator:
        stand_in = _drawn_like(ho, train_rows, labels, subj if cond_subj else None, rng)
        X_si = feat(store.load(array, stand_in))
        result["c2st_real_floor"] = M.c2st(X_ho, X_si, random_state=random_state,
                                           groups_real=g_ho, groups_fake=g_ho)
        result["c2st_nonlinear_real_floor"] = M.c2st(X_ho, X_si, random_state=random_state,
                                                     classifier=boosted, groups_real=g_ho,
                                                     groups_fake=g_ho)
        result["psd_distance_real_floor"] = scale * M.psd_distance(X_ho, X_si, kind=kind)
        result["real_floor_method"] = "training windows drawn like the samples"
    else:
        result["c2st_real_floor"] = result["psd_distance_real_floor"] = None
        result["c2st_nonlinear_real_floor"] = None
    gparams = config.get("params") or {}
    moments = [k for k in ("condition_mean", "condition_spectrum") if gparams.get(k)]
    if moments:   # the samples carry their condition's training mean (spectrum) by construction
        result["psd_distance_note"] = psd_distance_note(moments, result["psd_distance"],
                                                        result["psd_distance_real_floor"])
    result["topomap_correlation"] = M.topomap_correlation(X_ho, F_ho, y_ho, y_ho, kind=kind)
    if fid_inputs is None:
        fid, fid_features = _fid(store, array, tr, X_tr, y_tr, X_ho, F_ho, "features",
                                 random_state, None)
        fid_features = "standardised " + ("log band powers" if array == "raw" else "features")
    else:
        fid, fid_features = _fid(store, array, tr, X_tr_raw, y_tr, X_ho_raw, F_ho_raw, fid_model,
                                 random_state, device or config.get("device", "auto"))
    result["fid"] = fid
    result["trtr"] = M.trtr(X_tr, y_tr, X_ho, y_ho, model=model, random_state=random_state)
    result["tstr"] = M.tstr(F_tr, y_tr, X_ho, y_ho, model=model, random_state=random_state)
    result["tstr_trtr_ratio"] = result["tstr"] / result["trtr"] if result["trtr"] else float("nan")
    result["diversity"] = M.diversity(F_ho, X_ho, random_state=random_state)
    if augmentation and config.get("holdout") in ("seed-standard", "trial-kfold"):
        folds = [f for f in _holdout_folds(index, config["holdout"], int(config["random_state"]))
                 if f.name in set(config["holdout_folds"])]
        for f in folds:
            if not set(f.test_rows.tolist()) <= hold_set:
                raise ConfigurationError(f"fold {f.name}: test rows the generator was trained on; the "
                                         f"store's index changed since the run")
        # the control: real rows the generator learnt from, outside the fold (other subjects or
        # sessions), with the synthetic rows' labels; what pooling real data alone adds
        gen_rows = np.asarray(train_rows, dtype=np.int64)
        pools = {f.name: np.setdiff1d(gen_rows, np.r_[f.train_rows, f.test_rows]) for f in folds}
        needed = np.unique(np.concatenate([np.r_[f.train_rows, f.test_rows, pools[f.name]]
                                           for f in folds]))
        X_all = np.zeros((len(index),) + X_tr.shape[1:], dtype=np.float32)
        for chunk in np.array_split(needed, max(1, len(needed) // 5000)):
            X_all[chunk] = feat(store.load(array, chunk))

        def synthesize(fold):
            rows = fold.train_rows
            k = int(round(aug_ratio * len(rows)))
            pick = np.sort(rng.choice(rows, k, replace=k > len(rows)))
            return feat(fake_like(pick, int(rng.integers(2**31 - 1)))), labels[pick]

        ctl_rng = np.random.default_rng(None if random_state is None else (int(random_state), 7))

        def control(fold, y_syn):
            pool = pools[fold.name]
            if not set(np.unique(y_syn).tolist()) <= set(labels[pool].tolist()):
                return None          # a label without real rows there: no control for this fold
            pick = _pick_matching(np.asarray(y_syn), pool, labels[pool], ctl_rng)
            return X_all[pick], labels[pick]

        result["augmentation_gain"] = M.augmentation_gain(
            X_all, labels, folds, synthesize, model=model, index=index, random_state=random_state,
            control=control)
    else:
        result["augmentation_gain"] = None
    result.update({
        "config": config, "protocol": config.get("holdout"), "simulated": _simulated(store),
        "features": ("log10 band power per channel and band of raw windows" if array == "raw"
                     else f"store array {array!r}"),
        "recogniser": model, "fid_features": fid_features,
        "c2st_folds": "trials",   # C2ST cross-validated over whole trials (windows before 2026-12-06)
        "psd_distance_units": "dB (10 log10 power)",
        "real_rows_seen_by_generator": seen_by_generator,
        "n_real": int(len(ho)), "n_fake": int(len(F_ho)),
        "n_classes": int(len(np.unique(np.r_[y_tr, y_ho]))),
        "seconds": time.perf_counter() - t0,
    })
    if out_json is not None:
        out_json = Path(out_json)
        out_json.parent.mkdir(parents=True, exist_ok=True)
        _write_json(out_json, result)
    return result
