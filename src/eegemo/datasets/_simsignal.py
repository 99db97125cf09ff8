"""Signals that look like EEG, with emotion-dependent band power: the engine of the simulator.

Model (all in the frequency domain, one inverse real FFT per trial):

* ``n_sources`` cortical sources sit at channel positions spread over the head (farthest-point
  sampling) and reach every channel through a Gaussian "lead field" of width
  :data:`SPATIAL_WIDTH_M`; each channel also has a local (unshared) component. Neighbouring channels
  are therefore strongly correlated and distant ones weakly, and the data keep full rank.
* Every source and local component has a ``1 / (f**beta + knee**beta)`` background (``beta`` about
  1.3-1.9), an alpha peak near 10 Hz whose size grows towards the back of the head, and a small white
  floor; overall amplitude about 10-25 µV RMS per channel. The sources' alpha waxes and wanes (a
  log-normal amplitude envelope with a correlation time of about 0.7 s).
* Emotions multiply the power of chosen bands at chosen sites (:data:`EMOTION_EFFECTS`, log-power gains,
  scaled by ``effect_size``); a per-trial random jitter of band power keeps trials from being
  trivially separable.
* Per-subject variability (:class:`SubjectParams`): overall and per-channel gain, alpha frequency,
  background slope, effect topography jitter, blink rate and line-noise amplitude.
* Optional artefacts in the time domain: eye blinks (frontal channels and ``VEO``), 50 Hz line noise.

The emotion effects follow Zheng & Lu (2015, IEEE TAMD 7(3), "Investigating critical frequency bands
and channels for EEG-based emotion recognition with deep neural networks") for SEED's three classes:
positive → more beta and gamma at lateral temporal sites; neutral → more alpha at parietal and
occipital sites; negative → more delta at parietal/occipital sites and more gamma at prefrontal sites.
The patterns for sad, fear, happy and disgust (SEED-IV, SEED-V) are ASSUMPTIONS chosen to be plausible
and distinct (see :data:`EMOTION_EFFECTS`), not published findings.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from ..errors import ConfigurationError

__all__ = [
    "REGIONS", "EMOTION_EFFECTS", "EMOTION_ALIASES", "SubjectParams", "subject_params",
    "simulate_trial", "channel_layout", "SPATIAL_WIDTH_M",
]

#: Width (m) of the Gaussian spread of one source over the scalp.
SPATIAL_WIDTH_M = 0.045
#: Number of shared cortical sources (at most the number of channels).
N_SOURCES = 24
#: Share of each channel's variance that is local (not shared with neighbours).
LOCAL_SHARE = 0.15

_BAND_EDGES = {"delta": (1.0, 4.0), "theta": (4.0, 8.0), "alpha": (8.0, 14.0),
               "beta": (14.0, 31.0), "gamma": (31.0, 50.0)}
_BAND_ORDER = tuple(_BAND_EDGES)

#: Scalp regions (SEED channel names) used by the emotion effects.
REGIONS: dict[str, tuple[str, ...]] = {
    "prefrontal": ("FP1", "FPZ", "FP2", "AF3", "AF4"),
    "frontal": ("F7", "F5", "F3", "F1", "FZ", "F2", "F4", "F6", "F8"),
    "frontal_left": ("FP1", "AF3", "F7", "F5", "F3"),
    "frontocentral": ("FC3", "FC1", "FCZ", "FC2", "FC4", "F1", "FZ", "F2", "C1", "CZ", "C2"),
    "temporal_left": ("FT7", "T7", "TP7", "FC5", "C5", "CP5"),
    "temporal_right": ("FT8", "T8", "TP8", "FC6", "C6", "CP6"),
    "lateral_temporal": ("FT7", "T7", "TP7", "FC5", "C5", "CP5",
                         "FT8", "T8", "TP8", "FC6", "C6", "CP6"),
    "parietal_occipital": ("P7", "P5", "P3", "P1", "PZ", "P2", "P4", "P6", "P8", "PO7", "PO5", "PO3",
                           "POZ", "PO4", "PO6", "PO8", "CB1", "O1", "OZ", "O2", "CB2"),
}

#: Emotion → list of (band, region, log-power gain at ``effect_size=1``). A gain ``g`` multiplies the
#: band's power at the region's channels by ``exp(g)`` (so ``g = 0.5`` adds ~0.25 nats of DE).
#: positive / neutral / negative: Zheng & Lu (2015). happy = positive. The others are ASSUMPTIONS:
#: sad = negative's posterior delta plus left-frontal alpha (frontal asymmetry); fear = prefrontal gamma
#: and frontal beta with less posterior alpha; disgust = fronto-central theta and right-temporal beta.
EMOTION_EFFECTS: dict[str, tuple[tuple[str, str, float], ...]] = {
    "positive": (("beta", "lateral_temporal", 0.5), ("gamma", "lateral_temporal", 0.6)),
    "neutral": (("alpha", "parietal_occipital", 0.6),),
    "negative": (("delta", "parietal_occipital", 0.6), ("gamma", "prefrontal", 0.6)),
    "happy": (("beta", "lateral_temporal", 0.5), ("gamma", "lateral_temporal", 0.6)),
    "sad": (("delta", "parietal_occipital", 0.6), ("alpha", "frontal_left", 0.5)),
    "fear": (("gamma", "prefrontal", 0.6), ("beta", "frontal", 0.4),
             ("alpha", "parietal_occipital", -0.4)),
    "disgust": (("theta", "frontocentral", 0.6), ("beta", "temporal_right", 0.5)),
}

#: Other spellings accepted for emotion names.
EMOTION_ALIASES = {"pos": "positive", "neg": "negative", "sadness": "sad", "fearful": "fear",
                   "happiness": "happy", "joy": "happy"}


@dataclass
class SubjectParams:
    """Per-subject constants of the simulated EEG.

    Attributes
    ----------
    gain : float
        Overall amplitude factor (1 = about 15 µV RMS per channel).
    channel_gain : ndarray, shape (n_channels,)
        Per-channel amplitude factor (electrode impedance, skull thickness).
    alpha_freq : float
        Individual alpha frequency in Hz.
    beta_exp : float
        Exponent of the 1/f background.
    alpha_gain : float
        Factor on the alpha peak's height.
    effect_jitter : ndarray, shape (n_channels, 5)
        Multiplicative jitter of the emotion-effect topography per channel and band.
    blink_rate : float
        Blinks per second.
    line_amp : float
        50 Hz amplitude in volts (median over channels).
    seed : int
        Seed for the subject's fixed random choices (phases of line noise per channel).
    ch_names : tuple of str
        The channels these parameters were drawn for.
    """

    gain: float = 1.0
    channel_gain: np.ndarray = field(default_factory=lambda: np.ones(0))
    alpha_freq: float = 10.0
    beta_exp: float = 1.6
    alpha_gain: float = 1.0
    effect_jitter: np.ndarray = field(default_factory=lambda: np.ones((0, 5)))
    blink_rate: float = 0.25
    line_amp: float = 1.5e-6
    seed: int = 0
    ch_names: tuple[str, ...] = ()


def _rng(random_state) -> np.random.Generator:
    if isinstance(random_state, np.random.Generator):
        return random_state
    return np.random.default_rng(random_state)


def subject_params(rng, ch_names: Sequence[str], variability: float = 0.3) -> SubjectParams:
    """Draw one subject's :class:`SubjectParams`.

    Parameters
    ----------
    rng : numpy.random.Generator | int | None
        Random source (or a seed).
    ch_names : sequence of str
        Channel names of the recording.
    variability : float
        0 gives the canonical subject; 0.3 (default) gives gains varying by about ±30 %, alpha
        frequency by about ±1 Hz, slopes by ±0.15 and effect topographies by ±30 %.

    Returns
    -------
    params : SubjectParams
    """
    rng = _rng(rng)
    v = float(variability)
    if not (v >= 0 and np.isfinite(v)):
        raise ConfigurationError(f"subject_variability must be a number >= 0, found {variability!r}")
    n = len(ch_names)
    return SubjectParams(
        gain=float(np.exp(rng.normal(0.0, 0.8 * v))),
        channel_gain=np.exp(rng.normal(0.0, 0.5 * v, n)),
        alpha_freq=float(np.clip(10.0 + rng.normal(0.0, 3.0 * v), 8.0, 12.5)),
        beta_exp=float(np.clip(1.6 + rng.normal(0.0, 0.5 * v), 1.1, 2.2)),
        alpha_gain=float(np.exp(rng.normal(0.0, 1.0 * v))),
        effect_jitter=np.clip(1.0 + rng.normal(0.0, v, (n, len(_BAND_ORDER))), 0.0, None),
        blink_rate=float(0.25 * np.exp(rng.normal(0.0, v))),
        line_amp=float(1.5e-6 * np.exp(rng.normal(0.0, 1.5 * v))),
        seed=int(rng.integers(2**31)),
        ch_names=tuple(ch_names),
    )


# ----------------------------------------------------------------------------------------------------
# Spatial layout
# ----------------------------------------------------------------------------------------------------

@functools.lru_cache(maxsize=16)
def channel_layout(ch_names: tuple[str, ...]) -> np.ndarray:
    """Positions (m) for every channel, borrowing one for channels without a standard position.

    ``VEO`` (vertical EOG) is placed below and in front of ``FPZ``, ``HEO`` (horizontal EOG) beside
    ``F8``; any other unknown channel takes the position of its nearest listed neighbour that has one,
    shifted by 5 mm (or a point on a ring when no channel has a position).

    Parameters
    ----------
    ch_names : tuple of str

    Returns
    -------
    pos : ndarray, shape (n_channels, 3)
    """
    from ..channels import channel_positions

    known = channel_positions(ch_names)
    pos = np.full((len(ch_names), 3), np.nan)
    for i, ch in enumerate(ch_names):
        if ch in known:
            pos[i] = known[ch]
    std = channel_positions(["FPZ", "F8", "FP1", "FP2"])
    for i, ch in enumerate(ch_names):
        key = ch.upper()
        if not np.isnan(pos[i, 0]):
            continue
        if key.startswith("VEO"):
            pos[i] = std["FPZ"] + np.array([0.0, 0.01, -0.035])
        elif key.startswith("HEO"):
            pos[i] = std["F8"] + np.array([0.015, 0.01, -0.02])
    missing = np.flatnonzero(np.isnan(pos[:, 0]))
    have = np.flatnonzero(~np.isnan(pos[:, 0]))
    if have.size == 0:
        angles = 2 * np.pi * np.arange(len(ch_names)) / max(len(ch_names), 1)
        return np.column_stack([0.08 * np.cos(angles), 0.08 * np.sin(angles),
                                np.zeros(len(ch_names))])
    for k, i in enumerate(missing):
        j = have[np.argmin(np.abs(have - i))]
        pos[i] = pos[j] + np.array([0.005, 0.0, 0.0]) * (1 + k % 3)
    return pos


@functools.lru_cache(maxsize=16)
def _spatial_model(ch_names: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mixing matrix (n_channels, n_sources), source channel indices, and posterior weight per channel."""
    pos = channel_layout(ch_names)
    n = len(ch_names)
    k = min(N_SOURCES, n)
    # farthest-point sampling of source sites among the channels (deterministic)
    centre = pos.mean(axis=0)
    chosen = [int(np.argmin(np.linalg.norm(pos - centre, axis=1)))]
    dmin = np.linalg.norm(pos - pos[chosen[0]], axis=1)
    while len(chosen) < k:
        nxt = int(np.argmax(dmin))
        chosen.append(nxt)
        dmin = np.minimum(dmin, np.linalg.norm(pos - pos[nxt], axis=1))
    src = np.array(chosen)
    d = np.linalg.norm(pos[:, None, :] - pos[None, src, :], axis=-1)
    mix = np.exp(-0.5 * (d / SPATIAL_WIDTH_M) ** 2)
    mix /= np.linalg.norm(mix, axis=1, keepdims=True)  # unit variance from unit-variance sources
    # posterior weight: 0 at the front, 1 over parietal/occipital cortex (y is anterior in MNE's frame)
    post = 1.0 / (1.0 + np.exp((pos[:, 1] + 0.04) / 0.015))
    return mix.astype(np.float32), src, post


def _region_map(ch_names: Sequence[str]) -> dict[str, np.ndarray]:
    upper = [c.upper() for c in ch_names]
    return {name: np.array([c in members for c in upper], dtype=np.float32)
            for name, members in REGIONS.items()}


def _canonical_emotion(emotion) -> str | None:
    if emotion is None:
        return None
    key = str(emotion).strip().lower()
    key = EMOTION_ALIASES.get(key, key)
    if key in ("none", "rest", ""):
        return None
    if key not in EMOTION_EFFECTS:
        raise ConfigurationError(f"emotion: unknown emotion {emotion!r} (expected one of "
                                 f"{', '.join(EMOTION_EFFECTS)} or None)")
    return key


def _effect_matrix(emotion: str | None, ch_names: tuple[str, ...], effect_size: float,
                   jitter: np.ndarray | None) -> np.ndarray:
    """Log-power gain per channel and band, shape (n_channels, 5)."""
    out = np.zeros((len(ch_names), len(_BAND_ORDER)), dtype=np.float32)
    if emotion is None or effect_size == 0:
        return out
    regions = _region_map(ch_names)
    for band, region, gain in EMOTION_EFFECTS[emotion]:
        out[:, _BAND_ORDER.index(band)] += gain * regions[region]
    if jitter is not None and jitter.shape == out.shape:
        out *= jitter
    return out * float(effect_size)


def _band_masks(freqs: np.ndarray) -> np.ndarray:
    """Smooth (1-Hz raised-cosine edges) indicator of each band, shape (5, n_freqs)."""
    masks = np.empty((len(_BAND_ORDER), freqs.size), dtype=np.float32)
    for j, (lo, hi) in enumerate(_BAND_EDGES.values()):
        rise = np.clip((freqs - (lo - 0.5)) / 1.0, 0.0, 1.0)
        fall = np.clip(((hi + 0.5) - freqs) / 1.0, 0.0, 1.0)
        masks[j] = (0.5 - 0.5 * np.cos(np.pi * rise)) * (0.5 - 0.5 * np.cos(np.pi * fall))
    return masks


def _alpha_bins(freqs: np.ndarray, alpha_freq: float, width: float = 1.1) -> tuple[int, int]:
    """Bin range outside which the alpha peak is below 1e-4 of its height."""
    k0, k1 = np.searchsorted(freqs, [alpha_freq - 4.3 * width, alpha_freq + 4.3 * width])
    return int(k0), int(max(k1, k0 + 1))


def _envelope(n_rows: int, n_times: int, sfreq: float, rng: np.random.Generator,
              tau: float = 0.7, depth: float = 0.6) -> np.ndarray:
    """Slow positive amplitude envelopes with unit mean square, shape (n_rows, n_times)."""
    from scipy.signal import lfilter

    step = 0.1                                          # s between envelope knots
    m = int(np.ceil(n_times / sfreq / step)) + 2
    phi = float(np.exp(-step / tau))
    burn = 30
    white = rng.standard_normal((n_rows, m + burn))
    g = lfilter([np.sqrt(1 - phi ** 2)], [1.0, -phi], white, axis=1)[:, burn:]   # unit variance AR(1)
    pos = np.arange(n_times) / (sfreq * step)
    i0 = pos.astype(np.int64)
    w = (pos - i0).astype(np.float32)
    g = g.astype(np.float32)
    env = g[:, i0] * (1 - w) + g[:, i0 + 1] * w
    env *= depth
    env -= depth ** 2
    return np.exp(env, out=env)


def _blink_signal(n_times: int, sfreq: float, rate: float, rng: np.random.Generator) -> np.ndarray:
    """A train of eye blinks (volts at a frontal-pole electrode), shape (n_times,)."""
    out = np.zeros(n_times, dtype=np.float32)
    duration = n_times / sfreq
    n_blinks = rng.poisson(rate * duration)
    if n_blinks == 0:
        return out
    width = int(round(0.35 * sfreq))
    t = np.arange(width) / max(width - 1, 1)
    kernel = (np.sin(np.pi * t) ** 2 * np.exp(-1.5 * t)).astype(np.float32)
    kernel /= kernel.max()
    onsets = rng.integers(0, max(n_times - 1, 1), n_blinks)
    amps = rng.uniform(60e-6, 140e-6, n_blinks).astype(np.float32)
    impulses = np.zeros(n_times, dtype=np.float32)
    np.add.at(impulses, onsets, amps)
    from scipy.signal import oaconvolve

    return oaconvolve(impulses, kernel)[:n_times].astype(np.float32)


def _blink_weights(ch_names: tuple[str, ...]) -> np.ndarray:
    pos = channel_layout(ch_names)
    eye = channel_layout(("FPZ",))[0] + np.array([0.0, 0.01, -0.035])
    d = np.linalg.norm(pos - eye, axis=1)
    d_fp = np.linalg.norm(channel_layout(("FP1",))[0] - eye)
    w = np.minimum(np.exp(-(d - d_fp) / 0.02), 1.2)
    for i, ch in enumerate(ch_names):
        if ch.upper().startswith("VEO"):
            w[i] = 2.5
        elif ch.upper().startswith("HEO"):
            w[i] = 0.15
    w[w < 0.01] = 0.0
    return w.astype(np.float32)


def simulate_trial(emotion, n_times: int, sfreq: float, ch_names: Sequence[str], *,
                   effect_size: float = 1.0, subject_params: SubjectParams | None = None,
                   rng=None, blinks: bool = False, line_noise: bool = False,
                   line_freq: float = 50.0, trial_jitter: float = 0.15,
                   dtype=np.float64) -> np.ndarray:
    """Simulate one trial of EEG in volts.

    Parameters
    ----------
    emotion : str | None
        ``"positive"``, ``"neutral"``, ``"negative"``, ``"happy"``, ``"sad"``, ``"fear"``,
        ``"disgust"`` (see :data:`EMOTION_EFFECTS`), or ``None`` for no emotion effect (rest).
    n_times : int
        Samples.
    sfreq : float
        Sampling rate in Hz.
    ch_names : sequence of str
        Channel names; SEED names get the published effects, others only the background.
    effect_size : float
        Multiplier of the emotion effects (0 = none, 1 = moderate).
    subject_params : SubjectParams | None
        From :func:`subject_params`; ``None`` uses the canonical subject.
    rng : numpy.random.Generator | int | None
        Random source for this trial.
    blinks : bool
        Add eye blinks (frontal channels, ``VEO``).
    line_noise : bool
        Add mains interference at ``line_freq`` (and its third harmonic below Nyquist).
    line_freq : float
        Mains frequency in Hz.
    trial_jitter : float
        Standard deviation of the random per-trial log-power change per band (whole head) and, at half
        that, per channel and band; it makes trials of one emotion differ from each other.
    dtype : numpy dtype
        Output dtype (computation is float32).

    Returns
    -------
    data : ndarray, shape (n_channels, n_times)
        Volts.

    Examples
    --------
    >>> from eegemo.channels import SEED_CHANNELS
    >>> x = simulate_trial("positive", 2000, 200.0, SEED_CHANNELS, rng=0)
    >>> x.shape
    (62, 2000)
    """
    import scipy.fft

    rng = _rng(rng)
    ch = tuple(str(c) for c in ch_names)
    n = int(n_times)
    if n < 2:
        raise ConfigurationError(f"n_times: a trial needs at least 2 samples, found {n_times!r}")
    if not (sfreq > 0 and np.isfinite(sfreq)):
        raise ConfigurationError(f"sfreq must be a positive number of Hz, found {sfreq!r}")
    if not ch:
        raise ConfigurationError("ch_names: expected at least one channel, found none")
    if not (np.isfinite(effect_size)):
        raise ConfigurationError(f"effect_size must be a finite number, found {effect_size!r}")
    emo = _canonical_emotion(emotion)
    sp = subject_params if subject_params is not None else SubjectParams()
    n_ch = len(ch)
    ch_gain = sp.channel_gain if sp.channel_gain.shape == (n_ch,) else np.ones(n_ch)
    mix, src, post = _spatial_model(ch)
    n_src = src.size
    n_rows = n_src + n_ch   # shared sources, then one local component per channel

    freqs = (np.arange(n // 2 + 1) * (float(sfreq) / n)).astype(np.float32)
    f = np.maximum(freqs, 0.1)
    beta_row = (sp.beta_exp + rng.normal(0.0, 0.08, n_rows)).astype(np.float32)
    knee = 0.8
    # background 1 / (f**beta + knee**beta), per row
    bg = np.log(f)[None, :] * beta_row[:, None]
    np.exp(bg, out=bg)
    bg += (knee ** beta_row)[:, None]
    np.reciprocal(bg, out=bg)                                               # (rows, F)
    # alpha peak relative to the background at the alpha frequency
    post_rows = np.concatenate([post[src], post]).astype(np.float32)
    alpha_height = sp.alpha_gain * (0.6 + 5.0 * post_rows)                  # (rows,)
    peak = np.exp(-0.5 * ((freqs - sp.alpha_freq) / 1.1) ** 2).astype(np.float32)
    bg_at_alpha = np.exp(-np.logaddexp(beta_row * np.log(sp.alpha_freq), beta_row * np.log(knee)))
    alpha = (alpha_height * bg_at_alpha)[:, None] * peak[None, :]
    floor = np.exp(-np.logaddexp(beta_row * np.log(40.0), beta_row * np.log(knee))) * 0.3
    bg += floor[:, None]
    for part in (bg, alpha):
        part[:, 0] = 0.0
        if n % 2 == 0:
            part[:, -1] = 0.0
    # normalise: each row gets unit variance before emotion effects (var = 4/n^2 * sum(sigma^2))
    var = (4.0 / float(n) ** 2 * (bg.sum(axis=1, dtype=np.float64)
                                   + alpha.sum(axis=1, dtype=np.float64))).astype(np.float32)
    bg /= var[:, None]
    alpha /= var[:, None]
    # emotion effects + trial jitter, as log-power gains per row and band
    eff_ch = _effect_matrix(emo, ch, effect_size, sp.effect_jitter if emo else None)  # (n_ch, 5)
    gains = np.concatenate([eff_ch[src], eff_ch], axis=0)
    if trial_jitter > 0:
        gains = gains + rng.normal(0.0, trial_jitter, (1, len(_BAND_ORDER))).astype(np.float32)
        gains = gains + rng.normal(0.0, trial_jitter / 2, gains.shape).astype(np.float32)
    if np.any(gains):
        g = np.exp(gains @ _band_masks(freqs))
        bg *= g
        alpha *= g
        del g
    # rows to synthesise: source backgrounds, source alpha (modulated below), local components
    spec = np.empty((2 * n_src + n_ch, freqs.size), dtype=np.float32)
    spec[:n_src] = bg[:n_src]
    spec[n_src:2 * n_src] = alpha[:n_src]
    np.add(bg[n_src:], alpha[n_src:], out=spec[2 * n_src:])
    del bg, alpha
    amp = np.sqrt(spec, out=spec)
    # complex Gaussian spectrum, amplitude-shaped
    n_syn = amp.shape[0]
    z = np.zeros((n_syn, freqs.size), dtype=np.complex64)
    for lo, hi, (k0, k1) in ((0, n_src, (0, freqs.size)), (2 * n_src, n_syn, (0, freqs.size)),
                             (n_src, 2 * n_src, _alpha_bins(freqs, sp.alpha_freq))):
        # the alpha rows are zero away from the peak: draw only the bins that matter
        noise = rng.standard_normal((hi - lo, k1 - k0, 2), dtype=np.float32).view(np.complex64)
        z[lo:hi, k0:k1] = noise[..., 0] * amp[lo:hi, k0:k1]
    del amp, spec
    rows = scipy.fft.irfft(z, n=n, axis=1, overwrite_x=True).astype(np.float32, copy=False)
    del z
    # alpha waxes and wanes: a log-normal envelope with ~0.7-s correlation time, unit mean power
    rows[n_src:2 * n_src] *= _envelope(n_src, n, float(sfreq), rng)
    rows[:n_src] += rows[n_src:2 * n_src]
    # mix: shared sources + local components, in volts
    rms = 15e-6 * sp.gain * ch_gain.astype(np.float32)
    shared = np.sqrt(1.0 - LOCAL_SHARE)
    local = np.sqrt(LOCAL_SHARE)
    x = mix @ rows[:n_src]
    x *= shared
    x += local * rows[2 * n_src:]
    x *= rms[:, None]
    del rows
    if blinks and sp.blink_rate > 0:
        w = _blink_weights(ch)
        idx = np.flatnonzero(w)
        if idx.size:
            b = _blink_signal(n, float(sfreq), sp.blink_rate, rng)
            x[idx] += w[idx, None] * b[None, :]
    if line_noise and line_freq < sfreq / 2:
        prng = np.random.default_rng(sp.seed)
        phase = prng.uniform(0, 2 * np.pi, n_ch)
        lamp = sp.line_amp * np.exp(prng.normal(0.0, 0.4, n_ch))
        t0 = rng.uniform(0, 1.0)
        t = (np.arange(n) / float(sfreq) + t0).astype(np.float64)
        for h, rel in ((1, 1.0), (3, 0.25)):
            if h * line_freq >= sfreq / 2:
                continue
            c = np.cos(2 * np.pi * h * line_freq * t).astype(np.float32)
            s = np.sin(2 * np.pi * h * line_freq * t).astype(np.float32)
            x += (rel * lamp * np.cos(h * phase)).astype(np.float32)[:, None] * c[None, :]
            x -= (rel * lamp * np.sin(h * phase)).astype(np.float32)[:, None] * s[None, :]
    return x.astype(dtype, copy=False)
