"""Preprocessing: filters and resampling, windows, band features (DE, PSD), smoothing, grids/images,
normalisation.

Array functions (``make_windows``, ``differential_entropy``, ``to_grid``, ...) do the work; the
scikit-learn transformers in :mod:`eegemo.preprocess.transformers` wrap them (imported lazily, so
importing this package does not import scikit-learn).
"""

from __future__ import annotations

from .features import (band_power, band_weights, check_bands, differential_entropy, lds_smooth,
                       moving_average, psd_features)
from .filters import check_conditioning, condition, context_samples, filter_seconds, output_rate
from .grid import image_positions, image_weights, project_positions, to_grid, to_image
from .normalize import Normalizer
from .windows import interpolate_to_length, make_windows, window_samples, window_starts

__all__ = [
    "band_power", "band_weights", "check_bands", "differential_entropy", "lds_smooth",
    "moving_average", "psd_features", "image_positions", "image_weights", "project_positions",
    "to_grid", "to_image", "Normalizer", "interpolate_to_length", "make_windows", "window_samples",
    "window_starts", "condition", "check_conditioning", "context_samples", "filter_seconds",
    "output_rate",
]
