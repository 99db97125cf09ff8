"""Metrics per fold / subject and their mean ± std over subjects."""

from __future__ import annotations

import numpy as np

from eegemo.evaluation.metrics import classification_metrics, confusion, per_group, summarize


def test_perfect_and_constant_predictions():
    y = np.array([0, 1, 2, 0, 1, 2])
    m = classification_metrics(y, y, labels=[0, 1, 2])
    assert m == {"accuracy": 1.0, "balanced_accuracy": 1.0, "f1_macro": 1.0, "kappa": 1.0, "n": 6}
    const = classification_metrics(y, np.zeros_like(y), labels=[0, 1, 2])
    assert np.isclose(const["accuracy"], 2 / 6)
    assert np.isclose(const["balanced_accuracy"], 1 / 3)  # chance for a constant guess
    assert np.isclose(const["kappa"], 0.0)
    # one class only in truth and prediction: kappa undefined -> None, not NaN
    assert classification_metrics(np.zeros(4), np.zeros(4))["kappa"] is None


def test_imbalanced_balanced_accuracy_and_f1():
    rng = np.random.default_rng(0)
    y = np.r_[np.zeros(90, int), np.ones(10, int)]
    pred = np.zeros(100, int)
    m = classification_metrics(y, pred)
    assert np.isclose(m["accuracy"], 0.9) and np.isclose(m["balanced_accuracy"], 0.5)
    # F1 of class 0: 2*90/(2*90+10); class 1: 0
    assert np.isclose(m["f1_macro"], (180 / 190) / 2)
    random = classification_metrics(y, rng.integers(0, 2, 100))
    assert abs(random["kappa"]) < 0.3


def test_confusion_counts_and_per_group():
    y = np.array([0, 0, 1, 1, 2, 2])
    p = np.array([0, 1, 1, 1, 0, 2])
    cm = confusion(y, p, [0, 1, 2])
    assert cm.sum() == 6 and np.trace(cm) == 4
    assert cm[0].tolist() == [1, 1, 0] and cm[2].tolist() == [1, 0, 1]
    groups = np.array(["b", "b", "a", "a", "a", "b"])
    per = per_group(y, p, groups)
    assert list(per) == ["b", "a"]  # order of first appearance
    assert np.isclose(per["b"]["accuracy"], 2 / 3) and np.isclose(per["a"]["accuracy"], 2 / 3)
    assert per["a"]["n"] == 3


def test_summarize_mean_std_over_subjects():
    rng = np.random.default_rng(1)
    acc = rng.uniform(0.4, 0.9, 5)
    per = {str(i): {"accuracy": a, "balanced_accuracy": a - 0.01, "f1_macro": a - 0.02, "kappa": None}
           for i, a in enumerate(acc)}
    s = summarize(per)
    assert np.isclose(s["accuracy_mean"], acc.mean())
    assert np.isclose(s["accuracy_std"], np.std(acc, ddof=1))
    assert np.isclose(s["f1_macro_mean"], acc.mean() - 0.02)
    assert s["kappa_mean"] is None and s["n_subjects"] == 5
    one = summarize({"1": {"accuracy": 0.5}})
    assert one["accuracy_std"] == 0.0


def test_f1_skips_a_class_absent_from_truth_and_prediction():
    """SEED-IV's session-1 test trials hold no sad clip: perfect predictions score F1 = 1."""
    y = np.array([0, 0, 2, 3, 3])
    assert classification_metrics(y, y, labels=[0, 1, 2, 3])["f1_macro"] == 1.0
    # a class predicted but absent from the truth still counts (as 0)
    m = classification_metrics(y, np.array([0, 1, 2, 3, 3]), labels=[0, 1, 2, 3])
    assert np.isclose(m["f1_macro"], (2 / 3 + 0 + 1 + 1) / 4)


def test_summary_says_over_how_many_subjects_a_mean_is_taken():
    from eegemo.evaluation.runner import format_metrics

    per = {"1": {"accuracy": 1.0, "balanced_accuracy": 1.0, "f1_macro": 1.0, "kappa": None},
           "2": {"accuracy": 0.8, "balanced_accuracy": 0.8, "f1_macro": 0.8, "kappa": 0.7}}
    s = summarize(per)
    assert s["kappa_n"] == 1 and s["accuracy_n"] == 2 and s["n_subjects"] == 2
    text = format_metrics({"summary": s, "per_subject": per, "protocol": {"name": "loso"},
                           "model": {"name": "svm"}})
    kappa = next(line for line in text.splitlines() if line.startswith("Cohen's kappa"))
    assert "± –" in kappa and "over 1 of 2 subjects" in kappa          # no fake "± 0.000"
    acc = next(line for line in text.splitlines() if line.startswith("accuracy"))
    assert "of 2 subjects" not in acc
    one = {"1": per["2"]}
    text = format_metrics({"summary": summarize(one), "per_subject": one,
                           "protocol": {"name": "trial-kfold"}, "model": {"name": "svm"}})
    acc = next(line for line in text.splitlines() if line.startswith("accuracy"))
    assert acc.endswith("± – (1 subject)") and "0.000" not in acc
