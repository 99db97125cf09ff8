"""Figures (matplotlib, MNE topomaps) and the HTML report.

Figure functions take arrays and return a :class:`matplotlib.figure.Figure`; :func:`make_report` turns a
store and run folders into one self-contained HTML page (an :class:`mne.Report`).
"""

from __future__ import annotations

from .figures import (class_means, plot_band_topomaps, plot_confusion, plot_embedding, plot_grids,
                      plot_psd_by_emotion, plot_real_vs_synthetic_psd, plot_real_vs_synthetic_topomaps,
                      plot_real_vs_synthetic_traces, plot_subject_accuracy, plot_trial,
                      plot_training_curves)

__all__ = [
    "plot_trial", "plot_psd_by_emotion", "plot_band_topomaps", "plot_grids", "plot_training_curves",
    "plot_confusion", "plot_subject_accuracy", "plot_real_vs_synthetic_traces",
    "plot_real_vs_synthetic_psd", "plot_real_vs_synthetic_topomaps", "plot_embedding", "class_means",
    "make_report",
]


def __getattr__(name):
    if name == "make_report":
        from .report import make_report

        return make_report
    raise AttributeError(name)
