"""Training-time data augmentation: band-power gains for feature maps, Fourier surrogates for raw EEG.

**Band-feature maps** (``seed-cnn``, ``ccnn``, ``image-cnn``, ``attention-4d``): random spatially
smooth band-power gains.

Multiplying the amplitude of one frequency band by a gain ``g`` adds ``log g`` to that band's
differential entropy (DE of a Gaussian signal is ``0.5 log(2 pi e sigma^2)``) and ``2 log g`` to its
log power. A *gain augmentation* therefore adds, to every training example, a random field of
log-gains per band:

* ``"smooth-gain"``: a field that is smooth over the scalp (white noise on the map blurred by a
  Gaussian kernel whose standard deviation is ``width`` times the map's width), drawn independently
  per example and per band, scaled so that its standard deviation over the map is ``strength``;
* ``"gain"``: one log-gain per example and band, the same at every position (whole-head scaling).

The field is multiplied by each input element's standard deviation over the training rows, so
``strength`` is in units of the training spread whatever the normalisation of the input (inputs
z-scored on training rows, as :func:`eegemo.evaluation.run` gives them, have unit spread), and
positions that carry no data (the empty cells of the 9 × 9 grid, the corners of a topographic image)
stay exactly zero. A sequence (``grid_seq`` input: T windows of one trial) gets one field for all its
steps.

Why this nuisance: band power of real EEG changes between trials and over minutes with vigilance and
arousal, electrode impedance and the state of the subject, and because of volume conduction such
changes are spatially broad (Nunez & Srinivasan 2006, *Electric fields of the brain*, 2nd ed.,
Oxford University Press); random amplitude scaling is among the usual EEG augmentations
(Mohsenvand et al. 2020, ML4H, PMLR 136:238-253; Cheng et al. 2020, arXiv:2007.04871), and the
systematic comparison of Rommel et al. (2022, J. Neural Eng. 19:066020) found that augmentation
helps most when training data are few. Under the seed-standard protocol a network sees only nine
training trials per subject, and the windows of one trial are near copies of each other after LDS
smoothing, so without augmentation it can separate the training trials by any trial-specific offset.

**Raw windows** (``eegnet``, off by default): ``"ft-surrogate"``, the Fourier-transform surrogate
of Schwabedal et al. (2018, arXiv:1806.08675), also among the augmentations compared by Rommel et al.
(2022). Each training
window's Fourier phases are shifted by random angles drawn uniformly in ``[0, 2 pi strength)``, one
angle per frequency shared by all channels, so the amplitude spectrum of every channel and the
cross-spectra between channels (hence band power and its topography) are kept while the waveform is
new at every epoch. Where the information is in band power, not in time-locked waveforms (emotion
recognition on windows cut without regard to any event), this stops a network from memorising the
few hundred training waveforms of a subject.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..errors import ConfigurationError

__all__ = ["AUGMENTATIONS", "RAW_AUGMENTATIONS", "AUGMENT_PARAMS_DOC", "RAW_AUGMENT_PARAMS_DOC",
           "check_augment", "make_augmenter", "GainAugmenter", "FTSurrogate"]

#: Accepted values of the ``augment`` parameter of map models (``None`` switches it off).
AUGMENTATIONS: tuple[str, ...] = ("smooth-gain", "gain")
#: Accepted values of the ``augment`` parameter of raw-window models.
RAW_AUGMENTATIONS: tuple[str, ...] = ("ft-surrogate",)

AUGMENT_PARAMS_DOC = """augment : {"smooth-gain", "gain"} | None
        Training-time augmentation (see :mod:`eegemo.models._augment`): add to every training
        example a random log-gain field per band, smooth over the scalp (``"smooth-gain"``) or
        constant over it (``"gain"``); None trains on the data as given (the paper's procedure).
    augment_strength : float
        Standard deviation of the log-gain field over the map, in units of each input element's
        standard deviation over the training rows (z-scored inputs: feature units).
    augment_width : float
        Standard deviation of the Gaussian smoothing kernel of ``"smooth-gain"``, as a fraction of
        the map's width (0.25: about 2 cells of the 9 × 9 grid)."""

RAW_AUGMENT_PARAMS_DOC = """augment : {"ft-surrogate"} | None
        Training-time augmentation (see :mod:`eegemo.models._augment`): ``"ft-surrogate"`` gives
        each training window random Fourier phases (one per frequency, shared by all channels),
        keeping every amplitude spectrum and cross-spectrum; None (default) trains on the data as
        given (the paper's procedure). Not for time-locked information (ERPs, cue-locked trials).
    augment_strength : float
        Phase shifts are uniform in ``[0, 2 pi augment_strength)``, in (0, 1]; 1 = fully random."""


def check_augment(name: str, augment: Any, strength: Any, width: Any = None,
                  allowed: tuple[str, ...] = AUGMENTATIONS) -> None:
    """Refuse augmentation settings that are not usable.

    Parameters
    ----------
    name : str
        Model name for the message.
    augment : str | None
        The ``augment`` parameter.
    strength : float
        The ``augment_strength`` parameter (at most 1 for ``"ft-surrogate"``).
    width : float | None
        The ``augment_width`` parameter (None for models without one).
    allowed : tuple of str
        The augmentations this model accepts.

    Raises
    ------
    ConfigurationError
        For an unknown augmentation or a non-positive / non-finite strength or width.
    """
    if augment is not None and augment not in allowed:
        raise ConfigurationError(f"{name}: augment must be None or one of "
                                 f"{', '.join(allowed)}, found {augment!r}")
    checks = [("augment_strength", strength)] + ([] if width is None else
                                                 [("augment_width", width)])
    for key, value in checks:
        try:
            ok = float(value) > 0 and math.isfinite(float(value))
        except (TypeError, ValueError):
            ok = False
        if not ok:
            raise ConfigurationError(f"{name}: {key} must be a positive number, found {value!r}")
    if augment == "ft-surrogate" and float(strength) > 1:
        raise ConfigurationError(f"{name}: augment_strength of ft-surrogate must be in (0, 1], "
                                 f"found {strength!r}")


def make_augmenter(kind: str, strength: float, width: float | None, X_train: np.ndarray,
                   input_kind: str, seed: int):
    """The augmenter for ``kind``: a callable mapping a training mini-batch to an augmented copy."""
    if kind in RAW_AUGMENTATIONS:
        return FTSurrogate(strength, seed)
    return GainAugmenter(kind, strength, width, X_train, input_kind, seed)


class FTSurrogate:
    """Fourier-transform surrogates of raw windows (Schwabedal et al. 2018).

    Parameters
    ----------
    strength : float
        Phase shifts are uniform in ``[0, 2 pi strength)``.
    seed : int
        Seed of the augmentation's own random generator.
    """

    def __init__(self, strength: float, seed: int) -> None:
        import torch

        self.strength = float(strength)
        self.gen = torch.Generator().manual_seed(int(seed))

    def __call__(self, xb):
        """Return surrogates of a mini-batch ``(n, n_channels, n_samples)`` (``xb`` unchanged)."""
        import torch

        n, t = xb.shape[0], xb.shape[-1]
        spec = torch.fft.rfft(xb.float(), dim=-1)
        phase = (2.0 * math.pi * self.strength) * torch.rand(n, 1, spec.shape[-1],
                                                             generator=self.gen)
        phase[..., 0] = 0.0                 # the mean stays real
        if t % 2 == 0:
            phase[..., -1] = 0.0            # and so does the Nyquist bin
        spec = spec * torch.polar(torch.ones_like(phase), phase).to(spec.device)
        return torch.fft.irfft(spec, n=t, dim=-1).to(xb.dtype)


class GainAugmenter:
    """Draws and adds random log-gain fields to mini-batches of band maps.

    Parameters
    ----------
    kind : {"smooth-gain", "gain"}
        Field type (see the module docstring).
    strength : float
        Standard deviation of the field over the map, in training-spread units.
    width : float
        Smoothing kernel standard deviation as a fraction of the map width.
    X_train : ndarray
        Training rows, shape (n, n_bands, H, W) or (n, T, n_bands, H, W).
    input_kind : {"grid", "image", "grid_seq"}
        Layout of ``X_train``.
    seed : int
        Seed of the augmentation's own random generator.
    """

    def __init__(self, kind: str, strength: float, width: float, X_train: np.ndarray,
                 input_kind: str, seed: int) -> None:
        import torch

        if input_kind not in ("grid", "image", "grid_seq"):
            raise ConfigurationError(f"augment: band-gain augmentation needs band maps, found "
                                     f"input kind {input_kind!r}")
        self.kind = kind
        self.strength = float(strength)
        self.input_kind = input_kind
        X = np.asarray(X_train, dtype=np.float32)
        if input_kind == "grid_seq":
            X = X.reshape(-1, *X.shape[2:])
        # per-element training spread: scales the field and zeroes positions without data
        self.scale = torch.from_numpy(X.std(axis=0, dtype=np.float64).astype(np.float32))
        self.gen = torch.Generator().manual_seed(int(seed))
        self.kernel = None
        if kind == "smooth-gain":
            h, w = X.shape[-2:]
            sigma = float(width) * max(h, w)
            radius = max(1, int(math.ceil(2.0 * sigma)))
            t = torch.arange(-radius, radius + 1, dtype=torch.float32)
            k = torch.exp(-0.5 * (t / sigma) ** 2)
            self.kernel = k / k.sum()

    def _field(self, n: int, shape: tuple[int, ...]):
        """Log-gain fields, shape (n, *shape) with shape the one-step row shape."""
        import torch
        import torch.nn.functional as F

        b, h, w = shape
        if self.kernel is None:                     # "gain"
            return self.strength * torch.randn(n, b, 1, 1, generator=self.gen)
        white = torch.randn(n * b, 1, h, w, generator=self.gen)
        k, r = self.kernel, (len(self.kernel) - 1) // 2
        f = F.conv2d(white, k.view(1, 1, -1, 1), padding=(r, 0))
        f = F.conv2d(f, k.view(1, 1, 1, -1), padding=(0, r)).view(n, b, h, w)
        sd = f.flatten(2).std(dim=2).clamp_min(1e-6)[..., None, None]
        return self.strength * f / sd

    def __call__(self, xb):
        """Return ``xb`` plus a fresh field per example (``xb`` is not modified).

        Parameters
        ----------
        xb : torch.Tensor
            A mini-batch in the layout given at construction.

        Returns
        -------
        augmented : torch.Tensor
        """
        n = xb.shape[0]
        field = self._field(n, tuple(self.scale.shape))
        if self.input_kind == "grid_seq":
            field = field[:, None]                  # one field for every step of a sequence
        return xb + (field * self.scale).to(xb.device, xb.dtype)
