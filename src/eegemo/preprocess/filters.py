"""Signal conditioning before windowing: line-noise notch, band-pass and resampling (MNE filters).

SEED's released ``Preprocessed_EEG`` is already down-sampled to 200 Hz and band-passed (0–75 Hz);
raw ``.cnt`` recordings (SEED-IV/V raw, SEED-GER/FRA) and generic EDF/BDF files are not. These steps
make such recordings comparable: :func:`condition` applies a notch at the line frequency and its
harmonics (:func:`mne.filter.notch_filter`), a zero-phase FIR band-pass
(:func:`mne.filter.filter_data`) and resampling (:func:`mne.filter.resample`, FFT method, padded to
a fast FFT length). Resampling to a lower rate comes first: its anti-alias filter removes everything
above the new Nyquist frequency (line harmonics included), so the notch and band-pass then run on
fewer samples and give the same signal below it (a 4-min, 62-channel, 1000 Hz trial to 200 Hz:
0.30 s, 2.4x faster than MNE's Raw methods in the usual order; ``benchmarks/conditioning.py``).
eegemo loads one trial at a time. A trial cut from a continuous recording is read with one filter
length of the recording on each side (:func:`context_samples`), conditioned, and cut back to its
own samples (``trim``), which gives the samples that filtering the whole recording before cutting
it would give. A trial without surrounding signal (SEED's preprocessed ``.mat`` files hold one
array per trial) is padded by reflection as MNE does, so its first and last ~half filter length
carry edge effects; with SEED's minutes-long trials these are a small fraction of the windows.
"""

from __future__ import annotations

import math
import warnings
from fractions import Fraction

import numpy as np

from ..errors import ConfigurationError

__all__ = ["condition", "check_conditioning", "context_samples", "filter_seconds",
           "output_rate"]


def output_rate(sfreq: float, resample: float | None) -> float:
    """The rate of a trial after :func:`condition` (``resample`` when given).

    Parameters
    ----------
    sfreq : float
        Rate of the recording before conditioning, in Hz.
    resample : float | None
        Target rate in Hz; ``None`` (or 0) keeps ``sfreq``.

    Returns
    -------
    float
        The rate in Hz.
    """
    return float(resample) if resample else float(sfreq)


def check_conditioning(sfreq: float, *, bandpass: tuple[float | None, float | None] | None = None,
                       notch: float | None = None, resample: float | None = None,
                       where: str = "prepare") -> None:
    """Refuse settings that a recording of rate ``sfreq`` cannot take, in one line.

    Parameters
    ----------
    sfreq : float
        Rate of the recording before conditioning.
    bandpass : tuple of (float | None, float | None) | None
        ``(l_freq, h_freq)`` in Hz; ``None`` on a side skips it.
    notch : float | None
        Line frequency in Hz.
    resample : float | None
        Target rate in Hz.
    where : str
        Prefix of the message.

    Raises
    ------
    ConfigurationError
        If a setting is not a positive number, a band edge or the notch is not below the Nyquist
        frequency of ``sfreq`` or of the resampled signal (where nothing would notch it), or the
        low edge is not below the high edge.
    """
    nyq = float(sfreq) / 2
    low, high = bandpass if bandpass else (None, None)
    for name, f in (("bandpass low edge", low), ("bandpass high edge", high), ("notch", notch),
                    ("resample", resample)):
        if f is not None and not (isinstance(f, (int, float, np.integer, np.floating))
                                  and not isinstance(f, bool) and f > 0):
            raise ConfigurationError(f"{where}: {name} must be a positive number of Hz, found "
                                     f"{f!r}")
    if low is not None and high is not None and low >= high:
        raise ConfigurationError(f"{where}: bandpass low edge must be below its high edge (found "
                                 f"{low:g}-{high:g} Hz; a band-stop is not a band-pass)")
    for name, f in (("bandpass low edge", low), ("bandpass high edge", high), ("notch", notch)):
        if f is not None and f >= nyq:
            raise ConfigurationError(f"{where}: {name} must be below the Nyquist frequency of the "
                                     f"recordings (expected < {nyq:g} Hz at {sfreq:g} Hz, found "
                                     f"{f:g} Hz)")
    for name, f in (("bandpass high edge", high), ("bandpass low edge", low), ("notch", notch)):
        if resample and f is not None and f >= resample / 2:
            raise ConfigurationError(f"{where}: {name} must be below the Nyquist frequency of the "
                                     f"resampled signal (expected < {resample / 2:g} Hz at "
                                     f"{resample:g} Hz, found {f:g} Hz)")


def filter_seconds(sfreq: float, *, bandpass: tuple[float | None, float | None] | None = None,
                   notch: float | None = None, resample: float | None = None) -> float:
    """Length in seconds of the longest FIR filter :func:`condition` applies (0 for none).

    MNE's default designs: the band-pass's length from :func:`mne.filter.create_filter`
    (3.3 / the narrower transition band, e.g. 3.3 s for a 1-Hz high-pass), the notch's from its
    default 1-Hz transition band split on both sides of each line (3.3 / 0.5 Hz = 6.6 s). Samples
    within half a filter's length of a trial's edges carry its edge effects.

    Parameters
    ----------
    sfreq : float
        Rate of the recording before conditioning, in Hz.
    bandpass : tuple of (float | None, float | None) | None
        ``(l_freq, h_freq)`` in Hz; ``None`` on a side skips it, ``None`` for both skips the
        band-pass.
    notch : float | None
        Line frequency in Hz; ``None`` skips the notch (as does one at or above the Nyquist
        frequency of the filtered signal).
    resample : float | None
        Target rate in Hz; the filters are designed at the lower of it and ``sfreq``, the rate they
        run at. ``None`` keeps ``sfreq``.

    Returns
    -------
    float
        The longest filter's length in seconds; 0.0 when no filter applies.
    """
    import mne

    rate = min(float(sfreq), float(resample)) if resample else float(sfreq)
    seconds = 3.3 / 0.5 if notch and float(notch) < rate / 2 else 0.0
    low, high = bandpass if bandpass else (None, None)
    if low is not None or high is not None:
        h = mne.filter.create_filter(None, rate, low, high, verbose="error")
        seconds = max(seconds, len(h) / rate)
    return seconds


def _ratio_multiple(sfreq: float, resample: float) -> int | None:
    """Smallest sample count at ``sfreq`` that is a whole number of samples at ``resample``
    (1 without resampling; None where that takes more than 1 s, e.g. 999.412 → 200 Hz: padding
    rounded to such blocks would lose the filters' context)."""
    if float(resample) == float(sfreq):
        return 1
    ratio = (Fraction(float(resample)).limit_denominator(10**6)
             / Fraction(float(sfreq)).limit_denominator(10**6))
    return ratio.denominator if ratio.denominator <= float(sfreq) else None


def _near_whole(n: int, ratio: float, limit: int) -> int:
    """Fewest samples (at most ``limit``) to add to ``n`` so that ``(n + extra) * ratio`` is within
    0.001 of a whole number (the closest found where none is): the output grid of an FFT
    resampling then stretches by less than a thousandth of a sample."""
    best, best_err = 0, 1.0
    for extra in range(int(limit) + 1):
        v = (n + extra) * ratio
        err = abs(v - round(v))
        if err < best_err:
            best, best_err = extra, err
            if err < 1e-3:
                break
    return best


def _resample_pad(n: int, multiple: int) -> int:
    """Padding on each side for FFT resampling of ``n`` samples: a multiple of ``multiple``, so
    that the padding maps to whole output samples, with a fast FFT length where one is near.

    MNE's ``npad="auto"`` pads the two sides unequally by one sample where the power-of-two
    length leaves an odd count, which shifts the output by a fraction of a sample.
    """
    from scipy.fft import next_fast_len

    first = -(-min(n // 8, 100) // multiple) * multiple
    npad = first
    for _ in range(256):
        extra = next_fast_len(n + 2 * npad) - n - 2 * npad
        if extra % (2 * multiple) == 0:
            return npad + extra // 2
        npad += multiple
    return first


def context_samples(sfreq: float, *, bandpass: tuple[float | None, float | None] | None = None,
                    notch: float | None = None, resample: float | None = None) -> tuple[int, int]:
    """Samples of the recording worth reading on each side of a trial before :func:`condition`.

    Parameters
    ----------
    sfreq : float
        Rate of the recording in Hz.
    bandpass, notch, resample
        As for :func:`condition`.

    Returns
    -------
    n : int
        One whole length of the longest filter (:func:`filter_seconds`), at least one second when
        resampling (FFT resampling assumes a periodic signal); 0 when nothing is conditioned.
    multiple : int
        Samples added before a trial must be a multiple of this so that they map to whole
        samples after resampling (1 without resampling, 5 for 1000 → 200 Hz).
    """
    if not (bandpass and any(f is not None for f in bandpass)) and not notch and not resample:
        return 0, 1
    seconds = filter_seconds(sfreq, bandpass=bandpass, notch=notch, resample=resample)
    multiple = 1
    if resample and float(resample) != float(sfreq):
        seconds = max(seconds, 1.0)
        multiple = _ratio_multiple(float(sfreq), float(resample)) or 1
    n = int(math.ceil(seconds * float(sfreq)))
    return int(math.ceil(n / multiple) * multiple), multiple


def condition(x: np.ndarray, sfreq: float, *,
              bandpass: tuple[float | None, float | None] | None = None,
              notch: float | None = None, resample: float | None = None,
              trim: tuple[int, int] = (0, 0)) -> tuple[np.ndarray, float]:
    """Notch, band-pass and resample one trial.

    Parameters
    ----------
    x : ndarray, shape (n_channels, n_times)
        The trial (any unit; returned in the same unit).
    sfreq : float
        Its rate in Hz.
    bandpass : tuple of (float | None, float | None) | None
        ``(l_freq, h_freq)`` of a zero-phase FIR band-pass (MNE's defaults for the transition
        bands); ``(1, None)`` is a high-pass, ``(None, 40)`` a low-pass.
    notch : float | None
        Line frequency (50 or 60 Hz): notches at it and every harmonic below the Nyquist frequency.
    resample : float | None
        New rate in Hz (FFT resampling with its anti-alias filter).
    trim : tuple of (int, int)
        Samples of ``x`` (at ``sfreq``) before and after the trial itself, read from the
        recording around it (:meth:`eegemo.recording.Trial.load_padded`): the whole of ``x`` is
        conditioned and only the trial's own samples returned.

    Returns
    -------
    x : ndarray of float64, shape (n_channels, n_times_out)
    sfreq : float
        The rate of ``x``.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.random.default_rng(0).normal(size=(2, 1000))
    >>> y, rate = condition(x, 1000.0, bandpass=(1.0, 40.0), resample=200.0)
    >>> y.shape, rate
    ((2, 200), 200.0)
    """
    import mne

    check_conditioning(sfreq, bandpass=bandpass, notch=notch, resample=resample,
                       where="condition")
    x = np.asarray(x, dtype=np.float64)
    sfreq = float(sfreq)
    if x.ndim != 2:
        raise ConfigurationError(f"condition: expected a trial of shape (n_channels, n_times), "
                                 f"found shape {x.shape}")
    rate_in, n_in = sfreq, x.shape[-1]
    if min(trim) < 0 or sum(trim) >= n_in:
        raise ConfigurationError(f"condition: trim={tuple(trim)} leaves no sample of a signal of "
                                 f"{n_in} samples")
    nb, na = (int(v) for v in trim)
    multiple = _ratio_multiple(sfreq, float(resample)) if resample else 1
    if multiple and nb % multiple:       # padding before the trial in whole output samples
        x, nb, n_in = x[:, nb % multiple:], nb - nb % multiple, n_in - nb % multiple
    if resample and multiple is None and (nb or na):
        # no whole number of output samples in the padding: filter with it at this rate, cut it
        # off, then resample the trial alone (whose first sample stays on the trial's onset)
        x, _ = condition(x, sfreq, bandpass=bandpass, notch=notch, trim=trim)
        return condition(x, sfreq, resample=resample)

    def _resample(x, sfreq):
        # A length that is a whole number of output samples keeps the output grid on the input's
        # (MNE's output length round(ratio * n) otherwise stretches it by up to half a sample):
        # extend by reflection to such a length, resample, and keep the samples of the original.
        n = x.shape[-1]
        step = multiple or 1
        extra = (-n) % step if multiple else _near_whole(n, float(resample) / sfreq, n)
        if extra:
            x = (np.pad(x, ((0, 0), (0, extra)), mode="reflect", reflect_type="odd") if extra < n
                 else np.pad(x, ((0, 0), (0, extra)), mode="edge"))
        if multiple:
            npad = _resample_pad(x.shape[-1], step)
        else:     # padding of a near-whole number of output samples too
            first = min(x.shape[-1] // 8, 100)
            npad = first + _near_whole(first, float(resample) / sfreq, int(10 * sfreq))
        y = mne.filter.resample(x, up=float(resample), down=sfreq, axis=-1, npad=npad,
                                verbose="error")
        return y[:, :int(round(n * float(resample) / sfreq))], float(resample)

    lower = bool(resample) and float(resample) < sfreq
    with warnings.catch_warnings():      # "filter_length is longer than the signal" on short trials
        warnings.simplefilter("ignore")
        if lower:
            x, sfreq = _resample(x, sfreq)
        if notch:
            freqs = np.arange(float(notch), sfreq / 2, float(notch))
            if len(freqs):
                x = mne.filter.notch_filter(x, sfreq, freqs, verbose="error")
        if bandpass and any(f is not None for f in bandpass):
            x = mne.filter.filter_data(x, sfreq, bandpass[0], bandpass[1], verbose="error")
        if resample and not lower and float(resample) != sfreq:
            x, sfreq = _resample(x, sfreq)
    if nb or na:
        ratio = sfreq / rate_in
        start = int(round(nb * ratio))
        x = x[:, start:start + int(round((n_in - nb - na) * ratio))]
    return np.ascontiguousarray(x), sfreq
