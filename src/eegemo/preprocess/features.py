"""Band features of EEG windows: differential entropy, band power, PSD, and their smoothing.

Every feature here comes from one real FFT per window (:func:`scipy.fft.rfft` along the samples axis)
followed by one small matrix product that sums the squared spectrum over each band's bins.

Band edges follow :class:`eegemo.bands.Band`: a bin at frequency ``f_k = k * sfreq / n_samples`` belongs
to a band when ``low <= f_k < high``. The band power ``sigma2`` is scaled so that it equals the mean
square of the *ideally* band-passed signal (zero every FFT bin outside the band, transform back):
``sigma2 = sum_k w_k |X_k|^2 / n^2`` with ``w_k = 2`` for bins that stand for a positive and a negative
frequency and ``w_k = 1`` for the DC bin and (even ``n``) the Nyquist bin (Parseval). For a band with
``low > 0`` that band-passed signal has zero mean, so ``sigma2`` is its variance: a sinusoid of
amplitude ``A`` on a bin gives ``A**2 / 2``; white noise of variance ``s2`` gives, on average,
``s2 * 2 * (number of band bins) / n`` = ``s2 * bandwidth * 2 / sfreq``.

Values keep the units of the input: eegemo's raw data are volts, so band powers are in V² and DE values
are negative (about -10 for 10 µV signals). A change of unit only adds a constant to DE
(``log(1e12) / 2`` from V to µV), which any per-feature normalisation removes.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from .._logging import logger
from ..bands import Band, as_bands
from ..errors import ConfigurationError

if TYPE_CHECKING:
    from numpy.typing import ArrayLike, DTypeLike

__all__ = [
    "check_bands", "band_weights", "band_power", "differential_entropy", "psd_features",
    "moving_average", "lds_smooth",
]

#: Input samples per FFT chunk: small enough to stay in cache (fastest measured) and to bound the
#: temporary memory (a few MB) whatever the input size.
_CHUNK_SAMPLES = 1 << 18

BandsLike = None | str | dict | Sequence


def check_bands(bands: BandsLike, sfreq: float, where: str = "bands") -> tuple[Band, ...]:
    """Normalise ``bands`` and check they lie below the Nyquist frequency.

    Parameters
    ----------
    bands : None | str | dict | sequence of (name, low, high)
        Anything :func:`eegemo.bands.as_bands` accepts; ``None`` gives :data:`eegemo.bands.SEED_BANDS`.
    sfreq : float
        Sampling rate in Hz.
    where : str
        What the bands configure (a setting or file name), quoted in the error message.

    Returns
    -------
    bands : tuple of Band

    Raises
    ------
    ConfigurationError
        If ``sfreq`` is not positive or a band's upper edge is above ``sfreq / 2``.
    """
    if not (isinstance(sfreq, (int, float, np.integer, np.floating)) and sfreq > 0
            and math.isfinite(sfreq)):
        raise ConfigurationError(f"{where}: sampling rate must be a positive number of Hz, "
                                 f"found {sfreq!r}")
    out = as_bands(bands)
    if not out:
        raise ConfigurationError(f"{where}: expected at least one frequency band, found none")
    nyquist = float(sfreq) / 2.0
    for b in out:
        if b.high > nyquist + 1e-9:
            raise ConfigurationError(
                f"{where}: band {b.name!r} ({b.low:g}-{b.high:g} Hz) reaches above the Nyquist "
                f"frequency of sfreq={float(sfreq):g} Hz (expected high <= {nyquist:g} Hz, "
                f"found {b.high:g} Hz)")
    return out


def band_weights(n_samples: int, sfreq: float, bands: BandsLike = None, *,
                 dtype: DTypeLike = np.float64) -> np.ndarray:
    """The matrix that turns ``|rfft(x)|**2`` into band powers.

    Parameters
    ----------
    n_samples : int
        Samples per window.
    sfreq : float
        Sampling rate in Hz.
    bands : None | str | dict | sequence of (name, low, high)
        The bands (default :data:`eegemo.bands.SEED_BANDS`).
    dtype : numpy dtype
        Dtype of the returned matrix.

    Returns
    -------
    w : ndarray, shape (n_samples // 2 + 1, n_bands)
        ``w[k, b] = c_k / n_samples**2`` when bin ``k`` lies in band ``b`` (``low <= f_k < high``),
        with ``c_k = 1`` for DC and the Nyquist bin of an even ``n_samples``, 2 otherwise; else 0.

    Raises
    ------
    ConfigurationError
        If a band is above Nyquist or holds no FFT bin at this window length.
    """
    bands = check_bands(bands, sfreq)
    n = int(n_samples)
    if n < 1:
        raise ConfigurationError(f"window length must be at least 1 sample, found {n}")
    freqs = np.arange(n // 2 + 1) * (float(sfreq) / n)
    c = np.full(freqs.shape, 2.0)
    c[0] = 1.0
    if n % 2 == 0:
        c[-1] = 1.0
    w = np.zeros((freqs.size, len(bands)))
    for j, b in enumerate(bands):
        inside = (freqs >= b.low - 1e-9) & (freqs < b.high - 1e-9)
        if not inside.any():
            raise ConfigurationError(
                f"band {b.name!r} ({b.low:g}-{b.high:g} Hz) holds no FFT bin for {n}-sample windows "
                f"at {float(sfreq):g} Hz (expected a band wider than the resolution "
                f"{float(sfreq) / n:g} Hz)")
        w[inside, j] = c[inside] / float(n) ** 2
    return w.astype(dtype)


def _as_float(x) -> np.ndarray:
    x = np.asarray(x)
    if x.dtype in (np.float32, np.float64):
        return x
    if np.iscomplexobj(x):
        raise ConfigurationError(f"expected a real-valued signal, found dtype {x.dtype}")
    return x.astype(np.float64)


def _band_power_last(x: np.ndarray, w: np.ndarray, out: np.ndarray) -> None:
    """Band power of ``x`` (..., n) into ``out`` (..., n_bands), chunked over the leading axis 0."""
    import scipy.fft

    n = x.shape[-1]
    if x.ndim == 1:
        x = x[None]
        out = out[None]
    used = np.flatnonzero(w.any(axis=1))
    k0, k1 = int(used[0]), int(used[-1]) + 1
    w = w[k0:k1]
    per_row = max(1, int(np.prod(x.shape[1:])))
    step = max(1, _CHUNK_SAMPLES // per_row)
    for i in range(0, x.shape[0], step):
        chunk = x[i:i + step].reshape(-1, n)
        spec = scipy.fft.rfft(chunk, axis=-1, workers=1)[:, k0:k1]
        power = spec.real * spec.real
        power += spec.imag * spec.imag
        out[i:i + step] = (power @ w).reshape(out[i:i + step].shape)


def band_power(x: ArrayLike, sfreq: float, bands: BandsLike = None, *, axis: int = -1,
               out: np.ndarray | None = None) -> np.ndarray:
    """Mean power of the ideally band-passed signal in each band, per window.

    Parameters
    ----------
    x : array_like, shape (..., n_samples, ...)
        Windows of signal; ``axis`` holds the samples of one window, every other axis is kept.
        float32 input is computed (and returned) in float32, anything else in float64.
    sfreq : float
        Sampling rate in Hz.
    bands : None | str | dict | sequence of (name, low, high)
        The bands (default :data:`eegemo.bands.SEED_BANDS`), edges ``low <= f < high``.
    axis : int
        The samples axis.
    out : ndarray | None
        Optional output array of the returned shape (written in place and returned).

    Returns
    -------
    power : ndarray, shape (..., n_bands)
        The input's leading axes (``axis`` removed) followed by the bands, in squared input units.

    Notes
    -----
    See the module docstring for the scaling (Parseval, one-sided spectrum). Work is done in chunks of
    about two million samples, so a strided (overlapping) window view is never copied whole.
    """
    x = _as_float(x)
    if x.ndim == 0:
        raise ConfigurationError("expected an array with a samples axis, found a scalar")
    x = np.moveaxis(x, axis, -1)
    w = band_weights(x.shape[-1], sfreq, bands, dtype=x.dtype)
    shape = x.shape[:-1] + (w.shape[1],)
    if out is None:
        out = np.empty(shape, dtype=x.dtype)
    elif out.shape != shape:
        raise ConfigurationError(f"out= has the wrong shape (expected {shape}, found {out.shape})")
    if x.size:
        _band_power_last(x, w, out)
    return out


def differential_entropy(x: ArrayLike, sfreq: float, bands: BandsLike = None, *, axis: int = -1,
                         out: np.ndarray | None = None) -> np.ndarray:
    """Gaussian differential entropy of each band of each window.

    ``DE = 0.5 * log(2 * pi * e * sigma2)`` with ``sigma2`` the band power of :func:`band_power`, i.e.
    the variance of the ideally band-passed window (one real FFT per window, band edges
    ``low <= f < high``).

    Parameters
    ----------
    x : array_like, shape (..., n_samples, ...)
        Windows of signal (volts for eegemo's raw data); ``axis`` holds the samples of one window.
        Typical input: (n_windows, n_channels, n_samples) from :func:`eegemo.preprocess.make_windows`.
    sfreq : float
        Sampling rate in Hz.
    bands : None | str | dict | sequence of (name, low, high)
        The bands (default :data:`eegemo.bands.SEED_BANDS`).
    axis : int
        The samples axis.
    out : ndarray | None
        Optional output array of the returned shape.

    Returns
    -------
    de : ndarray, shape (..., n_bands)
        In nats; float32 for float32 input, else float64. A band with zero power (a flat channel) gets
        the DE of the smallest positive float of the dtype instead of ``-inf``.

    Examples
    --------
    >>> import numpy as np
    >>> t = np.arange(200) / 200.0
    >>> x = 2.0 * np.sin(2 * np.pi * 10 * t)          # amplitude 2 in the alpha band
    >>> de = differential_entropy(x, 200.0)
    >>> bool(np.isclose(de[2], 0.5 * np.log(2 * np.pi * np.e * 2.0 ** 2 / 2)))
    True
    """
    out = band_power(x, sfreq, bands, axis=axis, out=out)
    np.maximum(out, np.finfo(out.dtype).tiny, out=out)
    np.log(out, out=out)
    out *= 0.5
    out += 0.5 * math.log(2.0 * math.pi * math.e)
    return out


def psd_features(x: ArrayLike, sfreq: float, bands: BandsLike = None, *, axis: int = -1,
                 log: bool = False, out: np.ndarray | None = None) -> np.ndarray:
    """Mean power spectral density in each band (SEED's ``psd`` feature family).

    Parameters
    ----------
    x : array_like, shape (..., n_samples, ...)
        Windows of signal; ``axis`` holds the samples.
    sfreq : float
        Sampling rate in Hz.
    bands : None | str | dict | sequence of (name, low, high)
        The bands (default :data:`eegemo.bands.SEED_BANDS`).
    axis : int
        The samples axis.
    log : bool
        Return the natural log of the mean PSD instead. Off by default: the log of band power carries
        the same information as DE (``DE = 0.5 * log(power) + const``), so the linear PSD is the
        complementary feature, as in SEED's released ``psd_*`` arrays (not log-scaled, unlike DE).
    out : ndarray | None
        Optional output array of the returned shape.

    Returns
    -------
    psd : ndarray, shape (..., n_bands)
        One-sided PSD averaged over the band's FFT bins, in squared input units per Hz (V²/Hz):
        band power divided by ``n_bins * sfreq / n_samples``.
    """
    xa = _as_float(x)
    n = np.moveaxis(xa, axis, -1).shape[-1] if xa.ndim else 0
    out = band_power(xa, sfreq, bands, axis=axis, out=out)
    w = band_weights(n, sfreq, bands)
    width = (w > 0).sum(axis=0) * (float(sfreq) / n)
    out /= width.astype(out.dtype)
    if log:
        np.maximum(out, np.finfo(out.dtype).tiny, out=out)
        np.log(out, out=out)
    return out


def moving_average(feat: ArrayLike, n: int = 5) -> np.ndarray:
    """Centred moving average along axis 0 (the windows of one trial), same length out.

    Parameters
    ----------
    feat : array_like, shape (n_windows, ...)
        Features of consecutive windows of ONE trial (never smooth across trials).
    n : int
        Window of the average in samples (odd numbers are centred exactly; an even ``n`` takes one
        more past than future value). ``n = 1`` returns a copy.

    Returns
    -------
    smoothed : ndarray, shape (n_windows, ...)
        Float array. At the edges the average is taken over the values that exist (the window shrinks,
        no padding), so a constant sequence stays exactly constant and no edge value is pulled
        towards zero.
    """
    x = _as_float(feat)
    n = int(n)
    if n < 1:
        raise ConfigurationError(f"moving_average: n must be a positive number of windows, found {n}")
    m = x.shape[0] if x.ndim else 0
    if m == 0 or n == 1:
        return x.copy()
    before = n // 2
    after = n - 1 - before
    # one shifted add per offset (not a running sum, so a non-finite value spoils only the
    # windows whose average includes it)
    total = np.zeros(x.shape, dtype=np.float64)
    count = np.zeros(m, dtype=np.float64)
    for d in range(-before, after + 1):
        lo, hi = max(0, -d), min(m, m - d)
        if lo < hi:
            total[lo:hi] += x[lo + d:hi + d]
            count[lo:hi] += 1
    return (total / count.reshape((m,) + (1,) * (x.ndim - 1))).astype(x.dtype, copy=False)


def lds_smooth(feat: ArrayLike, *, q: float = 1e-4, r: float = 1.0, v0: float = 0.01,
               prior: str = "mean") -> np.ndarray:
    """Smooth features with a linear dynamic system (Kalman filter + Rauch-Tung-Striebel smoother).

    The model of every feature element (channel x band) is a random walk observed in noise::

        z_t = z_{t-1} + w_t,   w_t ~ N(0, q)        (hidden state)
        y_t = z_t + v_t,       v_t ~ N(0, r)        (observed feature)

    which is the LDS used for SEED's ``de_LDS``/``psd_LDS`` (Shi & Lu 2010; Zheng & Lu 2015). Because
    the noise variances are the same for every element, the Kalman gains do not depend on the data:
    they are computed once as scalars and the whole (n_windows, ...) array is filtered and smoothed
    with vectorised updates.

    Parameters
    ----------
    feat : array_like, shape (n_windows, ...)
        Features of consecutive windows of ONE trial.
    q, r : float
        State (random-walk) and observation noise variances. Only their ratio and ``v0 / r`` matter;
        the defaults (1e-4, 1, initial variance 0.01, prior mean = the trial mean) are those of the
        MATLAB LDS code distributed with SEED and give strong smoothing (steady-state gain about
        ``sqrt(q / r)`` = 0.01 per window). Increase ``q / r`` for lighter smoothing.
    v0 : float
        Variance of the prior on the first state.
    prior : {"mean", "first"}
        Prior mean of the first state: the mean of each feature over the trial (SEED's choice) or its
        first value.

    Returns
    -------
    smoothed : ndarray, shape (n_windows, ...)
        The RTS-smoothed state means (float; float32 stays float32).
    """
    x = _as_float(feat)
    for name, val in (("q", q), ("r", r), ("v0", v0)):
        if not (val > 0 and math.isfinite(val)):
            raise ConfigurationError(f"lds_smooth: {name} must be a positive variance, found {val!r}")
    if prior not in ("mean", "first"):
        raise ConfigurationError(f"lds_smooth: prior must be 'mean' or 'first', found {prior!r}")
    m = x.shape[0] if x.ndim else 0
    if m == 0:
        return x.copy()
    xd = x.astype(np.float64)
    # Scalar gain recursions (data independent).
    gain = np.empty(m)          # Kalman gain K_t
    p_post = np.empty(m)        # filtered variance P_t|t
    p_prior = np.empty(m)       # predicted variance P_t|t-1
    pp = float(v0)
    for t in range(m):
        p_prior[t] = pp
        gain[t] = pp / (pp + r)
        p_post[t] = (1.0 - gain[t]) * pp
        pp = p_post[t] + q
    # Filter (vectorised over feature elements).
    mu = xd.mean(axis=0) if prior == "mean" else xd[0].copy()
    filt = np.empty_like(xd)
    for t in range(m):
        mu = mu + gain[t] * (xd[t] - mu)
        filt[t] = mu
        # state transition is identity: prediction for t + 1 is mu with variance p_post + q
    # RTS smoother.
    smooth = np.empty_like(xd)
    smooth[-1] = filt[-1]
    for t in range(m - 2, -1, -1):
        j = p_post[t] / (p_post[t] + q)
        smooth[t] = filt[t] + j * (smooth[t + 1] - filt[t])
    logger.debug("lds_smooth: %d windows, steady gain %.4g", m, gain[-1])
    return smooth.astype(x.dtype, copy=False)
