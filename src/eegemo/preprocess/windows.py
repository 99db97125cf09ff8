"""Cut trials into fixed-length windows (the one place eegemo windows data).

Windows are taken inside ONE trial: the first starts at the trial's first sample, each next one
``length - overlap`` seconds later, and the last is the last that ends at or before the trial's end.
The incomplete tail (fewer than ``length`` seconds left) is dropped, never padded and never filled from
the next trial. Lengths in seconds are rounded to whole samples (``round(length * sfreq)``).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from ..errors import ConfigurationError

if TYPE_CHECKING:
    from numpy.typing import ArrayLike

__all__ = ["window_samples", "window_starts", "make_windows", "interpolate_to_length"]


def _number(value, name: str) -> float:
    try:
        out = float(value)
    except (TypeError, ValueError):
        raise ConfigurationError(f"{name} must be a number, found {value!r}") from None
    if not math.isfinite(out):
        raise ConfigurationError(f"{name} must be finite, found {value!r}")
    return out


def window_samples(sfreq: float, length: float = 1.0, overlap: float = 0.0) -> tuple[int, int]:
    """Window length and step in samples.

    Parameters
    ----------
    sfreq : float
        Sampling rate in Hz.
    length : float
        Window length in seconds (> 0).
    overlap : float
        Overlap of consecutive windows in seconds (``0 <= overlap < length``).

    Returns
    -------
    n_samples, step : int
        Samples per window and between window starts (both >= 1).

    Raises
    ------
    ConfigurationError
        For a non-positive length or rate, a negative overlap, an overlap >= length, or a window
        shorter than one sample.
    """
    sfreq = _number(sfreq, "sfreq")
    length = _number(length, "window length")
    overlap = _number(overlap, "window overlap")
    if sfreq <= 0:
        raise ConfigurationError(f"sfreq must be positive, found {sfreq:g} Hz")
    if length <= 0:
        raise ConfigurationError(f"window length must be positive, found {length:g} s")
    if overlap < 0:
        raise ConfigurationError(f"window overlap must be >= 0, found {overlap:g} s")
    if overlap >= length:
        raise ConfigurationError(f"window overlap must be shorter than the window "
                                 f"(expected < {length:g} s, found {overlap:g} s)")
    n = int(round(length * sfreq))
    step = int(round((length - overlap) * sfreq))
    if n < 1 or step < 1:
        raise ConfigurationError(
            f"window of {length:g} s with overlap {overlap:g} s is shorter than one sample at "
            f"{sfreq:g} Hz (expected length - overlap >= {1 / sfreq:g} s)")
    return n, step


def window_starts(n_times: int, sfreq: float, length: float = 1.0, overlap: float = 0.0) -> np.ndarray:
    """Start sample of every complete window of a trial.

    Parameters
    ----------
    n_times : int
        Samples in the trial.
    sfreq : float
        Sampling rate in Hz.
    length : float
        Window length in seconds.
    overlap : float
        Overlap in seconds (``0 <= overlap < length``).

    Returns
    -------
    starts : ndarray of int64, shape (n_windows,)
        ``0, step, 2 * step, ...`` up to the last start with ``start + n_samples <= n_times``.

    Raises
    ------
    ConfigurationError
        For an invalid length/overlap (see :func:`window_samples`) or a window longer than the trial.
    """
    n, step = window_samples(sfreq, length, overlap)
    n_times = int(n_times)
    if n > n_times:
        raise ConfigurationError(
            f"window longer than the trial (expected a trial of at least {n} samples = {length:g} s "
            f"at {float(sfreq):g} Hz, found {n_times} samples = {n_times / float(sfreq):g} s)")
    return np.arange(0, n_times - n + 1, step, dtype=np.int64)


def make_windows(x: ArrayLike, sfreq: float, length: float = 1.0,
                 overlap: float = 0.0) -> np.ndarray:
    """Cut one trial into windows, as a strided view when possible.

    Parameters
    ----------
    x : array_like, shape (n_channels, n_times) or (n_times,)
        One trial (time last).
    sfreq : float
        Sampling rate in Hz.
    length : float
        Window length in seconds (default 1 s).
    overlap : float
        Overlap of consecutive windows in seconds (default 0).

    Returns
    -------
    windows : ndarray, shape (n_windows, n_channels, n_samples) or (n_windows, n_samples)
        A read-only view of ``x`` when ``x`` is an ndarray (no copy, overlapping windows share
        memory); copy it before writing. Window ``i`` is ``x[..., starts[i]:starts[i] + n_samples]``
        with ``starts`` from :func:`window_starts`; the incomplete tail is dropped.

    Raises
    ------
    ConfigurationError
        For an invalid configuration or a window longer than the trial.
    """
    x = np.asarray(x)
    if x.ndim not in (1, 2):
        raise ConfigurationError(f"make_windows expects one trial of shape (n_channels, n_times), "
                                 f"found an array of shape {x.shape}")
    starts = window_starts(x.shape[-1], sfreq, length, overlap)
    n, step = window_samples(sfreq, length, overlap)
    view = np.lib.stride_tricks.sliding_window_view(x, n, axis=-1)  # (..., n_times - n + 1, n)
    view = view[..., : starts[-1] + 1 : step, :]
    return np.moveaxis(view, -2, 0)


def interpolate_to_length(x: ArrayLike, n: int, *, axis: int = -1) -> np.ndarray:
    """Stretch or squeeze a trial to ``n`` samples by linear interpolation (opt-in, lossy).

    This is the original student project's way of giving every trial one length, kept only for
    comparison. It DESTROYS information: trials of different durations are resampled by different
    factors, so the same rhythm lands at different apparent frequencies in different trials (a 10 Hz
    alpha rhythm in a 185-s trial and in a 265-s trial differ by 40 % after the stretch); shrinking
    uses no anti-alias filter, so high frequencies fold into low ones; and the result no longer has a
    meaningful sampling rate. Prefer fixed-length windows (:func:`make_windows`).

    Parameters
    ----------
    x : array_like, shape (..., n_times, ...)
        A trial; ``axis`` is time.
    n : int
        Number of samples out (>= 2).
    axis : int
        The time axis.

    Returns
    -------
    y : ndarray, shape (..., n, ...)
        Float array; the first and last samples equal those of ``x``; sample ``j`` is ``x`` linearly
        interpolated at the fractional position ``j * (n_times - 1) / (n - 1)``.
    """
    x = np.asarray(x)
    n = int(n)
    if n < 2:
        raise ConfigurationError(f"interpolate_to_length: expected n >= 2 samples, found {n}")
    xt = np.moveaxis(x, axis, -1)
    m = xt.shape[-1]
    if m < 2:
        raise ConfigurationError(f"interpolate_to_length: expected a trial of at least 2 samples, "
                                 f"found {m}")
    if not np.issubdtype(xt.dtype, np.floating):
        xt = xt.astype(np.float64)
    pos = np.linspace(0.0, m - 1, n)
    i0 = np.minimum(np.floor(pos).astype(np.int64), m - 2)
    frac = (pos - i0).astype(xt.dtype)
    y = xt[..., i0] * (1 - frac) + xt[..., i0 + 1] * frac
    return np.moveaxis(y, -1, axis)
