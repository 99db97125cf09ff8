"""Classification metrics per fold and per subject, and their mean ± std over subjects.

All scores come from scikit-learn. Means and standard deviations in :func:`summarize` are taken over
subjects (the unit a reader cares about), with the sample standard deviation (``ddof=1``; 0 for a
single subject). Undefined values (e.g. Cohen's kappa when truth and prediction are one constant class)
are ``None`` in JSON and ignored by the means.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence

import numpy as np

from ..errors import ConfigurationError

__all__ = ["METRICS", "classification_metrics", "confusion", "summarize", "summarize_folds",
           "per_group"]

#: Scores computed for every fold and subject, in this order.
METRICS = ("accuracy", "balanced_accuracy", "f1_macro", "kappa")


def _clean(v: float) -> float | None:
    v = float(v)
    return None if math.isnan(v) or math.isinf(v) else v


def classification_metrics(y_true: Sequence | np.ndarray, y_pred: Sequence | np.ndarray,
                           labels: Sequence | None = None) -> dict:
    """Accuracy, balanced accuracy, macro-F1 and Cohen's kappa of one set of predictions.

    Parameters
    ----------
    y_true, y_pred : array_like, shape (n,)
        True and predicted labels.
    labels : sequence | None
        All labels of the task. Macro-F1 averages over those of them that occur in the truth or
        the predictions: a class absent from both has no F1 (counting it as 0 would score perfect
        predictions of a test side without that class, e.g. SEED-IV's session 1 test trials,
        below 1); a class predicted but absent from the truth counts as 0.

    Returns
    -------
    scores : dict
        ``accuracy``, ``balanced_accuracy``, ``f1_macro``, ``kappa`` (float or None when undefined)
        and ``n`` (number of predictions).
    """
    from sklearn.metrics import (accuracy_score, balanced_accuracy_score, cohen_kappa_score,
                                 f1_score)

    y_true = np.asarray(y_true)
    y_pred = np.asarray(y_pred)
    if y_true.shape != y_pred.shape or y_true.ndim != 1:
        raise ConfigurationError(f"metrics: expected y_true and y_pred of the same 1-D shape, found "
                                 f"{y_true.shape} and {y_pred.shape}")
    if y_true.size == 0:
        return {**{m: None for m in METRICS}, "n": 0}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        present = np.unique(y_true)
        occur = set(present.tolist()) | set(np.unique(y_pred).tolist())
        f1_labels = ([v for v in labels if v in occur] if labels is not None else None) or None
        scores = {
            "accuracy": accuracy_score(y_true, y_pred),
            "balanced_accuracy": (balanced_accuracy_score(y_true, y_pred) if present.size > 1
                                  else accuracy_score(y_true, y_pred)),
            "f1_macro": f1_score(y_true, y_pred, labels=f1_labels, average="macro", zero_division=0),
            "kappa": cohen_kappa_score(y_true, y_pred),
        }
    out = {k: _clean(v) for k, v in scores.items()}
    out["n"] = int(y_true.size)
    return out


def confusion(y_true: Sequence | np.ndarray, y_pred: Sequence | np.ndarray,
              labels: Sequence) -> np.ndarray:
    """Confusion matrix (rows: true label, columns: predicted), counts, in the order of ``labels``.

    Parameters
    ----------
    y_true, y_pred : array_like, shape (n,)
        True and predicted labels.
    labels : sequence
        All labels of the task, in the order of the rows and columns; predictions whose true or
        predicted label is not among them are not counted.

    Returns
    -------
    cm : ndarray of int, shape (n_labels, n_labels)
        ``cm[i, j]``: predictions of true label ``labels[i]`` predicted as ``labels[j]``.
    """
    from sklearn.metrics import confusion_matrix

    return confusion_matrix(np.asarray(y_true), np.asarray(y_pred), labels=list(labels))


def per_group(y_true: np.ndarray, y_pred: np.ndarray, groups: np.ndarray,
              labels: Sequence | None = None) -> dict[str, dict]:
    """:func:`classification_metrics` for each group (e.g. subject or fold) of predictions.

    Parameters
    ----------
    y_true, y_pred : ndarray, shape (n,)
    groups : ndarray, shape (n,)
        Group of each prediction (compared as strings).
    labels : sequence | None
        All labels of the task.

    Returns
    -------
    scores : dict of str -> dict
        In order of first appearance of each group.
    """
    groups = np.asarray(groups).astype(str)
    y_true = np.asarray(y_true)
    y_pred = np.asarray(y_pred)
    _, first = np.unique(groups, return_index=True)
    out = {}
    for g in groups[np.sort(first)]:
        m = groups == g
        out[str(g)] = classification_metrics(y_true[m], y_pred[m], labels)
    return out


def summarize(per_subject: Mapping[str, Mapping[str, float | None]]) -> dict:
    """Mean and standard deviation of every metric over subjects.

    Parameters
    ----------
    per_subject : dict of subject -> dict of metric -> value
        E.g. the ``per_subject`` entry of a run's ``metrics.json``.

    Returns
    -------
    summary : dict
        ``<metric>_mean`` and ``<metric>_std`` for every metric in :data:`METRICS` (sample std over
        subjects, ``ddof=1``; 0.0 for one subject; None when no subject has the value),
        ``<metric>_n`` (how many subjects have the value: fewer than all where it is undefined
        for some, e.g. kappa on a one-class test side), plus ``n_subjects``.

    Examples
    --------
    >>> s = summarize({"1": {"accuracy": 0.6}, "2": {"accuracy": 0.8}})
    >>> round(s["accuracy_mean"], 3), round(s["accuracy_std"], 3), s["n_subjects"]
    (0.7, 0.141, 2)
    """
    out: dict = {}
    for m in METRICS:
        vals = np.array([float(v[m]) for v in per_subject.values()
                         if v.get(m) is not None and not math.isnan(float(v[m]))], dtype=np.float64)
        if vals.size == 0:
            out[f"{m}_mean"] = out[f"{m}_std"] = None
        else:
            out[f"{m}_mean"] = float(vals.mean())
            out[f"{m}_std"] = float(vals.std(ddof=1)) if vals.size > 1 else 0.0
        out[f"{m}_n"] = int(vals.size)
    out["n_subjects"] = len(per_subject)
    return out


def summarize_folds(per_fold: Mapping[str, Mapping[str, float | None]]) -> dict:
    """Mean and sample standard deviation of accuracy over folds.

    Many SEED papers give mean ± std over the 45 sessions (15 subjects × 3) rather than over
    subjects; under ``seed-standard`` a fold is one session, so these are those numbers.

    Parameters
    ----------
    per_fold : dict of fold -> dict of metric -> value
        E.g. the ``per_fold`` entry of a run's ``metrics.json``. Folds whose ``accuracy`` is
        missing, None or NaN (and entries that are not mappings) are skipped.

    Returns
    -------
    summary : dict
        ``accuracy_mean_over_folds``, ``accuracy_std_over_folds`` (``ddof=1``; None for one
        fold) and ``n_folds_scored``.

    Examples
    --------
    >>> s = summarize_folds({"1/s1": {"accuracy": 0.5}, "1/s2": {"accuracy": 0.7}})
    >>> round(s["accuracy_mean_over_folds"], 3), round(s["accuracy_std_over_folds"], 3)
    (0.6, 0.141)
    """
    vals = np.array([float(v["accuracy"]) for v in per_fold.values()
                     if isinstance(v, Mapping) and v.get("accuracy") is not None
                     and not math.isnan(float(v["accuracy"]))], dtype=np.float64)
    return {"accuracy_mean_over_folds": float(vals.mean()) if vals.size else None,
            "accuracy_std_over_folds": float(vals.std(ddof=1)) if vals.size > 1 else None,
            "n_folds_scored": int(vals.size)}
