"""Leakage-safe evaluation: protocols over whole trials, metrics, runs, prediction on new recordings.

- :func:`split` / :class:`Fold` / :func:`check_no_leakage` (:mod:`eegemo.evaluation.splits`): the
  protocols ``"seed-standard"``, ``"trial-kfold"``, ``"cross-session"`` and ``"loso"``.
- :func:`classification_metrics`, :func:`summarize` (:mod:`eegemo.evaluation.metrics`).
- :func:`run` (fit and test a model under a protocol, write a run folder), :func:`evaluate`
  (recompute a run's metrics from its predictions), :func:`predict` (per-window emotion
  probabilities for a new recording).
- :func:`train_generator`, :func:`generate`, :func:`synth_eval`
  (:mod:`eegemo.evaluation.generation`): generator runs of :mod:`eegemo.generative` on a store, and
  the realism and usefulness of their output (metrics on arrays in
  :mod:`eegemo.evaluation.synthetic`).
"""

from __future__ import annotations

from .generation import generate, synth_eval, train_generator
from .metrics import classification_metrics, confusion, summarize
from .predict import predict
from .runner import evaluate, format_metrics, load_run, run
from .splits import PROTOCOLS, Fold, LeakageError, check_no_leakage, split

__all__ = ["PROTOCOLS", "Fold", "LeakageError", "check_no_leakage", "split", "classification_metrics",
           "confusion", "summarize", "run", "evaluate", "predict", "format_metrics", "load_run",
           "train_generator", "generate", "synth_eval"]
