"""Evaluation protocols as splitters over whole trials, and the leakage guard.

Every protocol works on the store's window index (one row per window with ``recording``, ``subject``,
``session``, ``trial``, ``label``, ...) and returns :class:`Fold` objects holding row positions. A trial
is identified by ``(recording, trial)``; all windows of a trial always land on the same side, because
overlapping windows of one trial on both sides of a split inflate accuracy (the reason many published
SEED figures cannot be reproduced). :func:`check_no_leakage` verifies this and the runner calls it for
every fold.

Protocols
---------
``"seed-standard"``
    Subject-dependent, the dataset's published split. SEED, SEED-IV and any other dataset: one fold
    per subject and session, the first trials of the session train, the rest test (SEED: 9 / 6,
    SEED-IV: 16 / 8, SEED-GER: 12 / 6 and SEED-FRA: 12 / 9 as their released DE files are split,
    SEED Multimodal Chinese 9 / 6, otherwise the first 60 % of its trials, rounded). SEED-V: three folds per
    subject over all of its sessions, by blocks of trials 1-5 / 6-10 / 11-15 of each session (each
    block holds one trial of every emotion): a fold tests one block of every session and trains on
    the other two.
``"trial-kfold"``
    Subject-dependent k-fold over the subject's trials (stratified by label where every label has at
    least ``n_folds`` trials).
``"cross-session"``
    For each subject with two or more sessions: train on all sessions but one, test on that one
    (each in turn, or only ``test_session``: 3 gives the common "sessions 1 + 2 train, 3 tests").
``"loso"``
    Leave one subject out: train on all other subjects, test on the held-out one.

Validation rows for early stopping (``Fold.val_rows``) are whole trials carved from the training side;
``Fold.train_rows`` never includes them.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .._logging import logger
from ..datasets._family import subject_key as _subject_key
from ..errors import ConfigurationError, EegemoError

if TYPE_CHECKING:
    from ..datasets._family import Selection

__all__ = ["Fold", "LeakageError", "PROTOCOLS", "STANDARD_TRAIN_TRIALS", "STANDARD_BLOCKS", "split",
           "describe", "check_no_leakage", "trial_ids", "select_rows", "describe_selection"]

PROTOCOLS = ("seed-standard", "trial-kfold", "cross-session", "loso")

#: Training trials per session of the published subject-dependent split, by dataset name (the
#: ``n_train_trials`` of the dataset tables; SEED-GER/FRA and SEED Multimodal's Chinese part: the
#: train/test boundary of their released DE files).
STANDARD_TRAIN_TRIALS = {"seed": 9, "seed-iv": 16, "seed-ger": 12, "seed-fra": 12,
                         "seed-multimodal-chinese": 9}

#: Datasets whose published subject-dependent split is k-fold by blocks of consecutive trials of
#: every session: (trials per session, blocks).
STANDARD_BLOCKS = {"seed-v": (15, 3)}

_REQUIRED = ("recording", "subject", "trial", "label")


class LeakageError(EegemoError):
    """Windows of one trial (or, for leave-one-subject-out, one subject) are on both sides of a split."""


@dataclass(frozen=True)
class Fold:
    """One train/test split of the store's rows.

    Attributes
    ----------
    name : str
        Unique fold name, e.g. ``"3/s1"`` (subject 3, session 1) or ``"loso/7"``.
    subject : str | None
        The subject evaluated on this fold (the test subject).
    train_rows, test_rows, val_rows : ndarray of int64
        The store's row numbers (sorted): the labels of the index given to :func:`split`, which
        are the positions for ``store.index`` itself and stay the store's rows for a filtered
        frame such as ``index[index.subject == "2"]``. ``val_rows`` are whole training trials
        held out for early stopping and are not part of ``train_rows``.

    Notes
    -----
    A fold unpacks as scikit-learn's ``(train, test)`` pair, validation rows counted as training
    (``train, test = fold``), so ``cv=list(split(...))`` works in
    :func:`sklearn.model_selection.cross_val_score` on rows of ``store.load(...)``.
    """

    name: str
    subject: str | None
    train_rows: np.ndarray
    test_rows: np.ndarray
    val_rows: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    def __iter__(self):
        """``(train + validation rows, test rows)``, as a scikit-learn CV splitter yields."""
        yield np.union1d(self.train_rows, self.val_rows)
        yield self.test_rows

    def __repr__(self) -> str:
        return (f"Fold({self.name!r}, subject={self.subject!r}, n_train={len(self.train_rows)}, "
                f"n_val={len(self.val_rows)}, n_test={len(self.test_rows)})")


# -- helpers ----------------------------------------------------------------------------------------
def _check_index(index: pd.DataFrame) -> None:
    if not isinstance(index, pd.DataFrame):
        raise ConfigurationError(f"split: expected the store's index (a pandas DataFrame), "
                                 f"found {type(index).__name__}")
    missing = [c for c in _REQUIRED if c not in index.columns]
    if missing:
        raise ConfigurationError(f"split: the index lacks column(s) {', '.join(missing)} "
                                 f"(expected {', '.join(_REQUIRED)}, found {', '.join(map(str, index.columns))})")
    if len(index) == 0:
        raise ConfigurationError("split: the index is empty (expected at least one window)")


def trial_ids(index: pd.DataFrame) -> np.ndarray:
    """An integer id per row naming its trial, ``(recording, trial)``.

    Parameters
    ----------
    index : DataFrame
        The store's window index.

    Returns
    -------
    ids : ndarray of int64, shape (n_rows,)
        Equal for two rows exactly when they belong to the same trial of the same recording; ids
        increase with ``(recording, trial)`` order.
    """
    return index.groupby(["recording", "trial"], sort=True).ngroup().to_numpy(np.int64)


def _session(index: pd.DataFrame) -> np.ndarray:
    if "session" in index.columns:
        return index["session"].fillna(-1).astype(np.int64).to_numpy()
    return np.full(len(index), -1, dtype=np.int64)


def _trial_table(index: pd.DataFrame, rows: np.ndarray | None = None) -> pd.DataFrame:
    """One row per trial: tid, recording, trial, subject, session, label, dataset."""
    tab = pd.DataFrame({
        "tid": trial_ids(index),
        "recording": index["recording"].astype(str).to_numpy(),
        "trial": index["trial"].astype(np.int64).to_numpy(),
        "subject": index["subject"].astype(str).to_numpy(),
        "session": _session(index),
        "label": index["label"].to_numpy(),
        "dataset": (index["dataset"].astype(str).to_numpy() if "dataset" in index.columns
                    else np.full(len(index), "", dtype=object)),
    })
    if rows is not None:
        tab = tab.iloc[rows]
    # the label of a trial: its most frequent window label (all equal in a well-formed store)
    return (tab.groupby("tid", sort=True)
            .agg(recording=("recording", "first"), trial=("trial", "first"),
                 subject=("subject", "first"), session=("session", "first"),
                 label=("label", lambda s: s.mode().iloc[0]), dataset=("dataset", "first"))
            .reset_index())


def _rows_of(tids_per_row: np.ndarray, tids: np.ndarray) -> np.ndarray:
    return np.flatnonzero(np.isin(tids_per_row, tids)).astype(np.int64)


def _stratified_pick(labels: np.ndarray, n_pick: int, rng: np.random.Generator,
                     keep: int = 0) -> np.ndarray:
    """Positions of up to ``n_pick`` items, spread over labels in proportion to their counts (one
    per label first, largest labels first, where ``n_pick`` allows), leaving at least ``keep`` items
    of every label unpicked; which items of a label are picked, and which of equally large labels
    come first, is random."""
    order = rng.permutation(len(labels))
    by_label: dict = {}
    for pos in order:
        by_label.setdefault(labels[pos], []).append(pos)
    # largest labels first; labels of equal counts in the random order of ``by_label`` (first
    # appearance in the permutation), so no class is always the one left out of a small pick
    keys = sorted(by_label, key=lambda k: -len(by_label[k]))
    total = len(labels)
    room = {k: max(0, len(by_label[k]) - keep) for k in keys}
    quota = dict.fromkeys(keys, 0)
    for k in keys:                         # cover every label first
        if sum(quota.values()) < n_pick and room[k] > 0:
            quota[k] = 1
    while sum(quota.values()) < n_pick:    # then toward n_pick × share, largest shortfall first
        open_ = [k for k in keys if quota[k] < room[k]]
        if not open_:
            break
        k = max(open_, key=lambda k: n_pick * len(by_label[k]) / total - quota[k])
        quota[k] += 1
    picked = [pos for k in keys for pos in by_label[k][:quota[k]]]
    return np.sort(np.asarray(picked, dtype=np.int64))


def _carve_val(trials: pd.DataFrame, val_fraction: float, rng: np.random.Generator
               ) -> tuple[np.ndarray, np.ndarray]:
    """Split training trials (tids) into (train, val) by whole trials, stratified by label."""
    tids = trials["tid"].to_numpy()
    n = len(tids)
    if val_fraction <= 0 or n < 2:
        return tids, tids[:0]
    n_val = int(round(val_fraction * n))
    n_val = min(max(n_val, 1), n - 1)
    # every label keeps a training trial: a label seen only in validation cannot be learnt, and
    # early stopping on it would judge the model on a class it never saw
    pos = _stratified_pick(trials["label"].to_numpy(), n_val, rng, keep=1)
    mask = np.zeros(n, dtype=bool)
    mask[pos] = True
    return tids[~mask], tids[mask]


def _make_fold(name: str, subject: str | None, tids_per_row: np.ndarray, train_trials: pd.DataFrame,
               test_tids: np.ndarray, val_fraction: float, rng: np.random.Generator) -> Fold:
    tr, va = _carve_val(train_trials, val_fraction, rng)
    return Fold(name, subject, _rows_of(tids_per_row, tr), _rows_of(tids_per_row, test_tids),
                _rows_of(tids_per_row, va))


def _fold_seed(random_state: int, *keys) -> np.random.Generator:
    """A generator that depends on the run's seed and the fold's identity only (order-independent)."""
    text = "\x00".join(str(k) for k in keys)
    return np.random.default_rng([int(random_state) % (2 ** 32), zlib.crc32(text.encode())])


def _sort_subjects(values) -> list[str]:
    vals = sorted({str(v) for v in values})
    return sorted(vals, key=lambda s: (0, int(s), s) if s.lstrip("-").isdigit() else (1, 0, s))


# -- protocols --------------------------------------------------------------------------------------
def _seed_v_blocks(subject, sub, tids_per_row, val_fraction, random_state, dataset):
    """SEED-V's 3-fold protocol: fold k tests block k (trials 5k-4..5k) of every session."""
    n_per, n_blocks = STANDARD_BLOCKS[dataset]
    size = n_per // n_blocks
    block = np.empty(len(sub), dtype=np.int64)
    for session in sorted(sub["session"].unique()):
        at = np.flatnonzero((sub["session"] == session).to_numpy())
        order = at[np.argsort(sub["trial"].to_numpy()[at], kind="stable")]
        if len(order) != n_per:
            where = f"subject {subject}" + (f" session {session}" if session >= 0 else "")
            raise ConfigurationError(
                f"seed-standard: {where} has {len(order)} trial(s); the {dataset} standard split "
                f"(3 folds by trial blocks 1-5 / 6-10 / 11-15) expects {n_per} (set train_trials "
                f"for a first-trials split instead)")
        block[order] = np.arange(n_per) // size
    for k in range(n_blocks):
        name = f"{subject}/block{k + 1}"
        yield _make_fold(name, subject, tids_per_row, sub[block != k],
                         sub["tid"].to_numpy()[block == k], val_fraction,
                         _fold_seed(random_state, "seed-standard", name))


def _seed_standard(index, trials, tids_per_row, val_fraction, random_state, train_trials):
    for subject in _sort_subjects(trials["subject"]):
        sub = trials[trials["subject"] == subject]
        dataset = str(sub["dataset"].iloc[0]).lower()
        if train_trials is None and dataset in STANDARD_BLOCKS:
            yield from _seed_v_blocks(subject, sub.reset_index(drop=True), tids_per_row,
                                      val_fraction, random_state, dataset)
            continue
        for session in sorted(sub["session"].unique()):
            ses = sub[sub["session"] == session].sort_values(["recording", "trial"])
            n = len(ses)
            dataset = str(ses["dataset"].iloc[0]).lower()
            if train_trials is not None:
                n_train = int(train_trials)
                source = "train_trials"
            elif dataset in STANDARD_TRAIN_TRIALS:
                n_train = STANDARD_TRAIN_TRIALS[dataset]
                source = f"the {dataset} standard split"
            else:
                n_train = int(round(0.6 * n))
                source = "60 % of the trials"
            where = f"subject {subject}" + (f" session {session}" if session >= 0 else "")
            if not 1 <= n_train < n:
                raise ConfigurationError(
                    f"seed-standard: {where} has {n} trial(s); {source} asks for {n_train} training "
                    f"trial(s) (expected between 1 and {n - 1}; set train_trials)")
            train = ses.iloc[:n_train]
            test = ses.iloc[n_train:]
            name = f"{subject}" + (f"/s{session}" if session >= 0 else "")
            yield _make_fold(name, subject, tids_per_row, train, test["tid"].to_numpy(), val_fraction,
                             _fold_seed(random_state, "seed-standard", name))


def _trial_kfold(index, trials, tids_per_row, n_folds, val_fraction, random_state):
    from sklearn.model_selection import KFold, StratifiedKFold

    for subject in _sort_subjects(trials["subject"]):
        sub = trials[trials["subject"] == subject].sort_values("tid").reset_index(drop=True)
        n = len(sub)
        if n < n_folds:
            raise ConfigurationError(f"trial-kfold: subject {subject} has {n} trial(s), fewer than "
                                     f"n_folds={n_folds} (expected at least {n_folds})")
        labels = sub["label"].to_numpy()
        _, counts = np.unique(labels, return_counts=True)
        if len(counts) > 1 and counts.min() >= n_folds:
            splitter = StratifiedKFold(n_folds, shuffle=True, random_state=random_state)
        else:
            logger.info("trial-kfold: subject %s has a label with fewer than %d trials; "
                        "folds are not stratified", subject, n_folds)
            splitter = KFold(n_folds, shuffle=True, random_state=random_state)
        for k, (tr, te) in enumerate(splitter.split(np.zeros(n), labels)):
            name = f"{subject}/fold{k}"
            yield _make_fold(name, subject, tids_per_row, sub.iloc[tr], sub["tid"].to_numpy()[te],
                             val_fraction, _fold_seed(random_state, "trial-kfold", name))


def _cross_session(index, trials, tids_per_row, val_fraction, random_state, test_session=None):
    any_fold = False
    for subject in _sort_subjects(trials["subject"]):
        sub = trials[trials["subject"] == subject]
        sessions = sorted(sub["session"].unique())
        if len(sessions) < 2:
            logger.warning("cross-session: subject %s has %d session(s); skipped", subject,
                           len(sessions))
            continue
        if test_session is not None and test_session not in sessions:
            logger.warning("cross-session: subject %s has no session %s; skipped", subject,
                           test_session)
            continue
        for held in sessions if test_session is None else [test_session]:
            any_fold = True
            name = f"{subject}/s{held}"
            yield _make_fold(name, subject, tids_per_row, sub[sub["session"] != held],
                             sub.loc[sub["session"] == held, "tid"].to_numpy(), val_fraction,
                             _fold_seed(random_state, "cross-session", name))
    if not any_fold:
        have = sorted(int(v) for v in trials["session"].unique() if int(v) >= 0)
        found = (f"sessions {', '.join(map(str, have))}" if have
                 else "no session numbers")
        raise ConfigurationError(
            "cross-session: no subject has two or more sessions"
            + (f" including session {test_session}" if test_session is not None else "")
            + f" (expected a subject recorded in several sessions, found {found} in the store"
            + ("" if have else "; its reader gave the recordings no session") + ")")


def _loso(index, trials, tids_per_row, val_fraction, random_state):
    subjects = _sort_subjects(trials["subject"])
    if len(subjects) < 2:
        raise ConfigurationError(f"loso: needs at least 2 subjects, found {len(subjects)}")
    for subject in subjects:
        name = f"loso/{subject}"
        yield _make_fold(name, subject, tids_per_row, trials[trials["subject"] != subject],
                         trials.loc[trials["subject"] == subject, "tid"].to_numpy(), val_fraction,
                         _fold_seed(random_state, "loso", name))


def describe(index: pd.DataFrame, protocol: str, *, n_folds: int = 5,
             train_trials: int | None = None, test_session: int | None = None) -> str:
    """One line saying which trials train and which test under ``protocol`` for the datasets of
    ``index`` (written into a run's ``metrics.json`` as ``protocol.split``).

    Parameters
    ----------
    index : DataFrame
        The store's window index; only its ``dataset`` column is read (``"seed-standard"`` only,
        where present: one part per dataset, else ``"the store"``).
    protocol : {"seed-standard", "trial-kfold", "cross-session", "loso"}
        The protocol, as in :func:`split` (any other name is described as ``"loso"``).
    n_folds : int
        Folds per subject for ``"trial-kfold"``.
    train_trials : int | None
        ``"seed-standard"`` only: leading trials per session that train (None: the dataset's
        default).
    test_session : int | None
        ``"cross-session"`` only: the session that tests (None: each session in turn).

    Returns
    -------
    text : str
        One line; for ``"seed-standard"``, one ``"<dataset>: ..."`` part per dataset, joined by
        ``"; "``.

    Examples
    --------
    >>> import pandas as pd
    >>> describe(pd.DataFrame({"dataset": ["seed"]}), "seed-standard")
    'seed: first 9 trials of each session train, the rest test (one fold per subject and session)'
    """
    if protocol == "seed-standard":
        names = (sorted(set(index["dataset"].astype(str).str.lower())) if "dataset" in index
                 else ["the store"])
        parts = []
        for ds in names:
            if train_trials is not None:
                what = f"first {int(train_trials)} trials of each session train, the rest test"
            elif ds in STANDARD_BLOCKS:
                n, k = STANDARD_BLOCKS[ds]
                size = n // k
                blocks = " / ".join(f"{i * size + 1}-{(i + 1) * size}" for i in range(k))
                what = (f"{k} folds per subject, fold k tests trial block k ({blocks}) of every "
                        f"session, the other blocks train")
            elif ds in STANDARD_TRAIN_TRIALS:
                what = (f"first {STANDARD_TRAIN_TRIALS[ds]} trials of each session train, the rest "
                        "test")
            else:
                what = "first 60 % of each session's trials (rounded) train, the rest test"
            fold = "" if train_trials is None and ds in STANDARD_BLOCKS else \
                " (one fold per subject and session)"
            parts.append(f"{ds}: {what}{fold}")
        return "; ".join(parts)
    if protocol == "trial-kfold":
        return f"{int(n_folds)} folds of each subject's trials (stratified by label where possible)"
    if protocol == "cross-session":
        if test_session is not None:
            return (f"per subject, session {test_session} tests and the subject's other sessions "
                    "train")
        return "per subject, each session in turn tests and the subject's other sessions train"
    return "each subject in turn tests (all of its sessions), all other subjects train"


def split(index: pd.DataFrame, protocol: str, *, n_folds: int = 5, val_fraction: float = 0.2,
          random_state: int = 0, train_trials: int | None = None,
          test_session: int | None = None) -> Iterator[Fold]:
    """Yield the folds of an evaluation protocol; every fold is made of whole trials.

    Parameters
    ----------
    index : DataFrame
        The store's window index (``store.index``): one row per window with at least ``recording``,
        ``subject``, ``trial`` and ``label``; ``session`` and ``dataset`` are used where present.
    protocol : {"seed-standard", "trial-kfold", "cross-session", "loso"}
        See the module docstring.
    n_folds : int
        Folds per subject for ``"trial-kfold"``.
    val_fraction : float
        Fraction of the training trials (rounded, at least one when there are two or more training
        trials) held out as ``val_rows`` for early stopping, stratified by label and never a label's
        last training trial (fewer are held out where labels have too few trials); 0 for none.
    random_state : int
        Seed of the trial shuffles (k-fold assignment and validation choice).
    train_trials : int | None
        ``"seed-standard"`` only: number of leading trials per session used for training, overriding
        the dataset's default (SEED 9, SEED-IV 16, SEED-V its 3 folds by trial blocks, else 60 %).
    test_session : int | None
        ``"cross-session"`` only: test on this session alone (one fold per subject; e.g. 3 for the
        common "sessions 1 and 2 train, session 3 tests"); by default each session in turn.

    Yields
    ------
    fold : Fold
        In a deterministic order (subjects in natural order, then sessions / folds).

    Raises
    ------
    ConfigurationError
        Unknown protocol, missing index columns, or too few trials / sessions / subjects.
    """
    _check_index(index)
    if protocol not in PROTOCOLS:
        raise ConfigurationError(f"unknown protocol: expected one of {', '.join(PROTOCOLS)}, "
                                 f"found {protocol!r}")
    if not 0 <= float(val_fraction) < 1:
        raise ConfigurationError(f"val_fraction must be in [0, 1), found {val_fraction!r}")
    if protocol == "trial-kfold" and (not isinstance(n_folds, (int, np.integer)) or n_folds < 2):
        raise ConfigurationError(f"trial-kfold: n_folds must be an integer >= 2, found {n_folds!r}")
    if train_trials is not None and protocol != "seed-standard":
        raise ConfigurationError(f"train_trials applies to the seed-standard protocol only, "
                                 f"found it with {protocol!r}")
    if test_session is not None and protocol != "cross-session":
        raise ConfigurationError(f"test_session applies to the cross-session protocol only, "
                                 f"found it with {protocol!r}")
    if test_session is not None and (isinstance(test_session, bool)
                                     or not isinstance(test_session, (int, np.integer))):
        raise ConfigurationError(f"test_session must be a session number, found {test_session!r}")
    tids_per_row = trial_ids(index)
    trials = _trial_table(index)
    if protocol == "seed-standard":
        gen = _seed_standard(index, trials, tids_per_row, val_fraction, random_state, train_trials)
    elif protocol == "trial-kfold":
        gen = _trial_kfold(index, trials, tids_per_row, int(n_folds), val_fraction, random_state)
    elif protocol == "cross-session":
        gen = _cross_session(index, trials, tids_per_row, val_fraction, random_state,
                             None if test_session is None else int(test_session))
    else:
        gen = _loso(index, trials, tids_per_row, val_fraction, random_state)
    labels = _row_labels(index)
    if labels is None:
        yield from gen
        return
    for f in gen:   # positions in a filtered frame → the store's row numbers (its index labels)
        yield Fold(f.name, f.subject, np.sort(labels[f.train_rows]), np.sort(labels[f.test_rows]),
                   np.sort(labels[f.val_rows]))


def _row_labels(index: pd.DataFrame) -> np.ndarray | None:
    """The index labels that are the store's row numbers where they differ from positions (a
    filtered or reordered frame of ``store.index``); None where they are the positions, or where
    the labels are no row numbers (not unique non-negative integers)."""
    labels = index.index
    if isinstance(labels, pd.RangeIndex) and labels.start == 0 and labels.step == 1:
        return None
    if not pd.api.types.is_integer_dtype(labels.dtype) or not labels.is_unique:
        return None
    values = labels.to_numpy().astype(np.int64)
    if values.size and values.min() < 0:
        return None
    return None if np.array_equal(values, np.arange(len(values))) else values


def select_rows(index: pd.DataFrame, subjects: Selection = None, sessions: Selection = None, *,
                what: str = "store") -> np.ndarray:
    """Row positions of the windows of some subjects and/or sessions.

    Parameters
    ----------
    index : DataFrame
        The store's window index.
    subjects : str | int | sequence | None
        Subject ids to keep (None: all). Ids compare as written, except that numbers compare by
        value: ``"1"`` selects subject ``"01"`` and the reverse.
    sessions : int | sequence of int | None
        Session numbers to keep (None: all).
    what : str
        Name of the store for messages.

    Returns
    -------
    rows : ndarray of int64
        Sorted positions of the selected rows.

    Raises
    ------
    ConfigurationError
        A subject or session not in the index (naming those there are), or an empty selection.

    Examples
    --------
    >>> import pandas as pd
    >>> index = pd.DataFrame({"subject": ["01", "01", "02"], "session": [1, 2, 1]})
    >>> select_rows(index, subjects="1").tolist(), select_rows(index, sessions=[1]).tolist()
    ([0, 1], [0, 2])
    """
    keep = np.ones(len(index), dtype=bool)
    if subjects is not None:
        names = _stored_subjects(index, subjects, what=what)
        keep &= index["subject"].astype(str).isin(names).to_numpy()
    if sessions is not None:
        wanted = _listed(sessions)
        try:
            numbers = sorted({int(str(v).strip()) for v in wanted})
        except (TypeError, ValueError):
            numbers = None
        if not wanted or numbers is None or any(isinstance(v, bool) for v in wanted):
            raise ConfigurationError(f"{what}: sessions must be session numbers (e.g. 1,2), "
                                     f"found {sessions!r}")
        ses = _session(index)
        have = sorted(int(v) for v in set(ses.tolist()) if v >= 0)
        missing = [v for v in numbers if v not in have]
        if missing:
            raise ConfigurationError(
                f"{what}: session(s) {', '.join(map(str, missing))} not in the store (expected "
                f"some of {', '.join(map(str, have)) or 'none: the store has no session numbers'})")
        keep &= np.isin(ses, numbers)
    rows = np.flatnonzero(keep).astype(np.int64)
    if rows.size == 0:
        raise ConfigurationError(f"{what}: no window belongs to subject(s) {subjects!r} in "
                                 f"session(s) {sessions!r} (expected at least one)")
    return rows


def _listed(value) -> list:
    """One id or a sequence of them, as a list."""
    return [value] if isinstance(value, (str, int, np.integer)) else list(value)


def _stored_subjects(index: pd.DataFrame, subjects, *, what: str = "store") -> list[str]:
    """The store's names of the subjects asked for, in the order asked (``"1"`` → ``"01"`` where
    the store writes it so; numbers compare by value).

    Raises
    ------
    ConfigurationError
        An empty selection, or a subject the index does not hold (naming those it holds).
    """
    wanted = _listed(subjects)
    if not wanted:
        raise ConfigurationError(f"{what}: subjects selects nothing (expected subject ids, "
                                 f"found an empty selection)")
    by_key: dict[str, list[str]] = {}
    for name in pd.unique(index["subject"].astype(str)):
        by_key.setdefault(_subject_key(name), []).append(name)
    missing = [str(v) for v in wanted if _subject_key(v) not in by_key]
    if missing:
        shown = _sort_subjects(index["subject"])
        raise ConfigurationError(
            f"{what}: subject(s) {', '.join(missing)} not in the store (expected some of "
            f"{', '.join(shown[:20])}{' ...' if len(shown) > 20 else ''})")
    return list(dict.fromkeys(n for v in wanted for n in sorted(by_key[_subject_key(v)])))


def describe_selection(subjects: Selection = None, sessions: Selection = None) -> str:
    """Words for a :func:`select_rows` selection ('' for none), e.g. ``"subjects 1, 2; session 1"``.

    Parameters
    ----------
    subjects : str | int | sequence | None
        Subject ids, as given to :func:`select_rows` (None: no subject selection).
    sessions : int | sequence of int | None
        Session numbers (None: no session selection).

    Returns
    -------
    text : str
        The ids as given (not matched against a store), or ``""`` when both are None.
    """
    parts = []
    for name, value in (("subject", subjects), ("session", sessions)):
        if value is None:
            continue
        values = _listed(value)
        parts.append(f"{name}{'s' if len(values) > 1 else ''} "
                     f"{', '.join(str(v) for v in values)}")
    return "; ".join(parts)


def check_no_leakage(index: pd.DataFrame, train_rows: Sequence[int] | np.ndarray,
                     test_rows: Sequence[int] | np.ndarray, *, subject_disjoint: bool = False,
                     what: str = "split") -> None:
    """Raise if a trial (or, with ``subject_disjoint``, a subject) has windows on both sides.

    Parameters
    ----------
    index : DataFrame
        The store's window index.
    train_rows, test_rows : array_like of int
        Rows of the two sides (training rows should include validation rows): positions, or the
        index labels of a filtered frame of ``store.index``, as :func:`split` gives them.
    subject_disjoint : bool
        Also require that no subject appears on both sides (leave-one-subject-out).
    what : str
        Name of the split for the message (e.g. the fold name).

    Raises
    ------
    LeakageError
        Naming the first shared trial or subject and how many there are.
    """
    train_rows = np.asarray(train_rows, dtype=np.int64)
    test_rows = np.asarray(test_rows, dtype=np.int64)
    n = len(index)
    if _row_labels(index) is not None:   # rows are the frame's labels (as split gives them)
        pos = {}
        for side, rows in (("train", train_rows), ("test", test_rows)):
            pos[side] = index.index.get_indexer(rows)
            if (pos[side] < 0).any():
                raise ConfigurationError(f"{what}: {side} row {rows[pos[side] < 0][0]} is not in "
                                         f"the index given (expected rows of that frame)")
        train_rows, test_rows = pos["train"].astype(np.int64), pos["test"].astype(np.int64)
    for side, rows in (("train", train_rows), ("test", test_rows)):
        if rows.size and (rows.min() < 0 or rows.max() >= n):
            raise ConfigurationError(f"{what}: {side} rows out of range (expected 0..{n - 1}, found "
                                     f"{rows.min()}..{rows.max()})")
    shared_rows = np.intersect1d(train_rows, test_rows)
    if shared_rows.size:
        raise LeakageError(f"{what}: {shared_rows.size} window row(s) are on both the train and the "
                           f"test side (first: row {shared_rows[0]})")
    rec = index["recording"].astype(str).to_numpy()
    tri = index["trial"].to_numpy()
    train_keys = set(zip(rec[train_rows], tri[train_rows], strict=True))
    test_keys = set(zip(rec[test_rows], tri[test_rows], strict=True))
    both = sorted(train_keys & test_keys, key=str)
    if both:
        r, t = both[0]
        raise LeakageError(f"{what}: {len(both)} trial(s) have windows on both the train and the test "
                           f"side (expected whole trials on one side, found e.g. recording {r} trial {t})")
    if subject_disjoint:
        sub = index["subject"].astype(str).to_numpy()
        shared = sorted(set(sub[train_rows]) & set(sub[test_rows]))
        if shared:
            raise LeakageError(f"{what}: subject(s) {', '.join(shared[:5])} appear on both the train and "
                               f"the test side (expected subject-disjoint sides for leave-one-subject-out)")
