"""Training-time data augmentation of band-feature maps: random spatially smooth band-power gains.

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
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..errors import ConfigurationError

__all__ = ["AUGMENTATIONS", "AUGMENT_PARAMS_DOC", "check_augment", "GainAugmenter"]

#: Accepted values of the ``augment`` parameter (``None`` switches augmentation off).
AUGMENTATIONS: tuple[str, ...] = ("smooth-gain", "gain")

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


def check_augment(name: str, augment: Any, strength: Any, width: Any) -> None:
    """Refuse augmentation settings that are not usable.

    Parameters
    ----------
    name : str
        Model name for the message.
    augment : str | None
        The ``augment`` parameter.
    strength, width : float
        The ``augment_strength`` and ``augment_width`` parameters.

    Raises
    ------
    ConfigurationError
        For an unknown augmentation or a non-positive / non-finite strength or width.
    """
    if augment is not None and augment not in AUGMENTATIONS:
        raise ConfigurationError(f"{name}: augment must be None or one of "
                                 f"{', '.join(AUGMENTATIONS)}, found {augment!r}")
    for key, value in (("augment_strength", strength), ("augment_width", width)):
        try:
            ok = float(value) > 0 and math.isfinite(float(value))
        except (TypeError, ValueError):
            ok = False
        if not ok:
            raise ConfigurationError(f"{name}: {key} must be a positive number, found {value!r}")


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
