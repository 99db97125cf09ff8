"""EEGNet-8,2 (Lawhern et al. 2018) on raw windows (n_channels, n_samples).

Block 1: a temporal convolution (F1 = 8 filters, half a second long), batch norm, a depthwise spatial
convolution over all channels (D = 2 per filter, max-norm 1), batch norm, ELU, average pooling by 4,
dropout. Block 2: a separable convolution (depthwise, an eighth of a second of the pooled signal, then
F2 = 16 pointwise filters), batch norm, ELU, average pooling by 8, dropout. Classifier: flatten, linear
(max-norm 0.25).

The paper's kernel lengths (64 and 16 samples) are for 128 Hz; here they follow ``sfreq``:
``round(sfreq / 2)`` and ``round(sfreq / 8)`` samples, so the network sees the same time spans at any
sampling rate (e.g. 100 and 25 at SEED's 200 Hz).

Two options beyond the paper, off by default, both for information carried by band power rather than by
time-locked waveforms (emotion recognition on windows cut without regard to any event):

* ``whiten=True``: before block 1 every window is passed through a fixed filter, fitted on the
  training windows, that divides each channel's spectrum by that channel's root-mean-square amplitude
  spectrum over the training windows (scaled to keep its total power). EEG power falls about as
  1/f, so without it beta and gamma activity is one to two orders of magnitude below delta and alpha
  in the input, and the randomly initialised temporal filters hardly see it. The filter is part of
  the network's state (saved in the checkpoint) and applied to every input, training or not.
* ``augment="ft-surrogate"``: random Fourier phases per training window (Schwabedal et al. 2018; see
  :mod:`eegemo.models._augment`), so the network cannot memorise the training waveforms.

The defaults (``whiten=False, augment=None``) are the paper's EEGNet. On simulated SEED (1-s windows,
seed-standard) that network fits its training windows perfectly and tests at chance, and the two
options lift it well above chance; on real cue-locked motor imagery (eegmmidb) they cost accuracy.
See ``benchmarks/RESULTS.md``.
"""

from __future__ import annotations

import functools
from typing import Any, ClassVar

import numpy as np

from .._logging import logger
from ..errors import ConfigurationError
from ._augment import RAW_AUGMENT_PARAMS_DOC, RAW_AUGMENTATIONS
from ._base import COMMON_PARAMS_DOC, TORCH_ATTRIBUTES_DOC, TorchClassifier

__all__ = ["EEGNet", "whitening_gains"]


def whitening_gains(X: np.ndarray, floor: float = 1e-3, chunk: int = 1024) -> np.ndarray:
    """Per-channel spectral whitening gains of raw windows.

    Parameters
    ----------
    X : ndarray, shape (n_windows, n_channels, n_samples)
        Training windows.
    floor : float
        Power below ``floor`` times the channel's mean power per frequency is raised to it, so that
        frequencies with almost no power (e.g. above a low-pass filter) are not amplified without
        bound.
    chunk : int
        Windows transformed at a time (bounds memory).

    Returns
    -------
    gain : ndarray of float32, shape (n_channels, n_samples // 2 + 1)
        ``sqrt(mean_f P_c / P_c(f))`` with ``P_c(f)`` the mean power of channel c at frequency f
        over the windows: multiplying a spectrum by it flattens the average spectrum and keeps each
        channel's total power.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = np.cumsum(rng.standard_normal((50, 2, 64)), axis=-1)  # red noise
    >>> g = whitening_gains(X)
    >>> g.shape, bool(g[0, 20] > g[0, 2])
    ((2, 33), True)
    """
    X = np.asarray(X)
    power = np.zeros((X.shape[1], X.shape[2] // 2 + 1))
    for start in range(0, len(X), chunk):
        spec = np.fft.rfft(X[start:start + chunk].astype(np.float64), axis=-1)
        power += (spec.real ** 2 + spec.imag ** 2).sum(axis=0)
    power /= max(len(X), 1)
    mean = power.mean(axis=1, keepdims=True)
    power = np.maximum(power, floor * mean)
    gain = np.sqrt(np.divide(mean, power, out=np.ones_like(power), where=power > 0))
    return gain.astype(np.float32)


@functools.cache
def _module():
    import torch
    from torch import nn

    def _same(k: int) -> nn.Module:
        """Zero padding that keeps the length ("same"; the extra sample of an even kernel after)."""
        return nn.ZeroPad2d(((k - 1) // 2, k // 2, 0, 0))

    class EEGNetNet(nn.Module):
        def __init__(self, n_channels: int, n_samples: int, n_classes: int, F1: int, D: int,
                     F2: int, kern1: int, kern2: int, pool1: int, pool2: int,
                     dropout: float, whiten: bool = False) -> None:
            super().__init__()
            # spectral whitening gains (n_channels, n_freqs); ones until fitted or loaded
            self.register_buffer("whiten_gain", torch.ones(n_channels, n_samples // 2 + 1)
                                 if whiten else None)
            self.block1 = nn.Sequential(
                _same(kern1), nn.Conv2d(1, F1, (1, kern1), bias=False),
                nn.BatchNorm2d(F1),
            )
            self.depthwise = nn.Conv2d(F1, F1 * D, (n_channels, 1), groups=F1, bias=False)
            self.block1b = nn.Sequential(
                nn.BatchNorm2d(F1 * D), nn.ELU(), nn.AvgPool2d((1, pool1)), nn.Dropout(dropout))
            self.block2 = nn.Sequential(
                _same(kern2), nn.Conv2d(F1 * D, F1 * D, (1, kern2), groups=F1 * D, bias=False),
                nn.Conv2d(F1 * D, F2, 1, bias=False),
                nn.BatchNorm2d(F2), nn.ELU(), nn.AvgPool2d((1, pool2)), nn.Dropout(dropout),
                nn.Flatten())
            n_out = F2 * ((n_samples // pool1) // pool2)
            self.head = nn.Linear(n_out, n_classes)

        def whiten(self, x: torch.Tensor) -> torch.Tensor:
            """Apply the fixed whitening filter (in float32, outside autocast)."""
            if self.whiten_gain is None:
                return x
            with torch.autocast(x.device.type, enabled=False):
                spec = torch.fft.rfft(x.float(), dim=-1) * self.whiten_gain
                return torch.fft.irfft(spec, n=x.shape[-1], dim=-1).to(x.dtype)

        def embed(self, x: torch.Tensor) -> torch.Tensor:
            x = self.block1(self.whiten(x).unsqueeze(1))
            return self.block2(self.block1b(self.depthwise(x)))

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return self.head(self.embed(x))

        @torch.no_grad()
        def constrain(self) -> None:
            """The paper's max-norm constraints: 1 on spatial filters, 0.25 on the classifier."""
            for weight, max_norm in ((self.depthwise.weight, 1.0), (self.head.weight, 0.25)):
                flat = weight.view(weight.shape[0], -1)
                norms = flat.norm(dim=1, keepdim=True).clamp(min=1e-8)
                flat.mul_(norms.clamp(max=max_norm) / norms)

    return EEGNetNet


class EEGNet(TorchClassifier):
    __doc__ = f"""EEGNet-F1,D (default 8,2; Lawhern et al. 2018) on raw windows.

    Parameters
    ----------
    sfreq : float | None
        Sampling rate of the windows in Hz; sets the kernel lengths. None: the paper's 128 Hz
        (a warning is logged; pass the store's rate).
    F1 : int
        Temporal filters.
    D : int
        Spatial filters per temporal filter.
    F2 : int | None
        Pointwise filters (None: F1 * D).
    pool1, pool2 : int
        Average-pooling factors of the two blocks (4 and 8).
    dropout : float
        Dropout rate (paper: 0.5 within-subject, 0.25 cross-subject).
    whiten : bool
        Pass every window through a spectral whitening filter fitted on the training windows (see
        the module docstring); False (default) is the paper's network.
    {RAW_AUGMENT_PARAMS_DOC}
    {COMMON_PARAMS_DOC}

    Attributes
    ----------
    {TORCH_ATTRIBUTES_DOC}

    Notes
    -----
    Input rows are (n_channels, n_samples) in any consistent unit; standardise them (e.g. per
    channel, fitted on the training rows) since raw volts are ~1e-5.
    """

    name: ClassVar[str] = "eegnet"
    input_kind: ClassVar[str] = "raw"
    _AUGMENTATIONS: ClassVar[tuple[str, ...]] = RAW_AUGMENTATIONS
    DESCRIPTION: ClassVar[str] = "EEGNet-8,2 (Lawhern et al. 2018) on raw windows"
    CITATION: ClassVar[str] = (
        "Lawhern V.J., Solon A.J., Waytowich N.R., Gordon S.M., Hung C.P., Lance B.J. (2018). "
        "EEGNet: a compact convolutional neural network for EEG-based brain-computer interfaces. "
        "Journal of Neural Engineering 15(5):056013. doi:10.1088/1741-2552/aace8c")

    def __init__(self, sfreq: float | None = None, F1: int = 8, D: int = 2,
                 F2: int | None = None, pool1: int = 4, pool2: int = 8, dropout: float = 0.5,
                 whiten: bool = False, augment: str | None = None,
                 augment_strength: float = 1.0, max_epochs: int = 100, batch_size: int = 64,
                 lr: float = 1e-3,
                 weight_decay: float = 0.0, patience: int = 10,
                 monitor: str = "val_loss", device: str = "auto",
                 amp: bool = False, n_threads: int | None = None,
                 random_state: int | None = None, verbose: bool = False) -> None:
        self.sfreq = sfreq
        self.F1 = F1
        self.D = D
        self.F2 = F2
        self.pool1 = pool1
        self.pool2 = pool2
        self.dropout = dropout
        self.whiten = whiten
        self.augment = augment
        self.augment_strength = augment_strength
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.lr = lr
        self.weight_decay = weight_decay
        self.patience = patience
        self.monitor = monitor
        self.device = device
        self.amp = amp
        self.n_threads = n_threads
        self.random_state = random_state
        self.verbose = verbose

    def kernel_lengths(self) -> tuple[int, int]:
        """Lengths in samples of the temporal and the separable kernel for ``sfreq``."""
        sfreq = 128.0 if self.sfreq is None else float(self.sfreq)
        if not sfreq > 0:
            raise ConfigurationError(f"{self.name}: sfreq must be > 0 Hz, found {self.sfreq!r}")
        return max(1, round(sfreq / 2)), max(1, round(sfreq / 8))

    def _check_input_shape(self, input_shape: tuple[int, ...]) -> None:
        n_channels, n_samples = input_shape
        for key in ("F1", "D", "pool1", "pool2"):
            value = getattr(self, key)
            if not isinstance(value, (int, np.integer)) or value < 1:
                raise ConfigurationError(f"{self.name}: {key} must be a positive int, found "
                                         f"{value!r}")
        need = self.pool1 * self.pool2
        if n_samples < need:
            raise ConfigurationError(
                f"{self.name}: windows too short for pooling by {self.pool1} x {self.pool2}, "
                f"expected >= {need} samples, found {n_samples}")
        if not 0 <= self.dropout < 1:
            raise ConfigurationError(f"{self.name}: dropout must be in [0, 1), found "
                                     f"{self.dropout!r}")
        if not isinstance(self.whiten, (bool, np.bool_)):
            raise ConfigurationError(f"{self.name}: whiten must be True or False, found "
                                     f"{self.whiten!r}")

    def _fit_statistics(self, X: np.ndarray) -> None:
        """Fit the whitening gains ``whiten_gain_`` (n_channels, n_freqs) on the training windows."""
        self.whiten_gain_ = whitening_gains(X) if self.whiten else None

    def _build_module(self, input_shape, n_classes):
        import torch

        if self.sfreq is None:
            logger.warning("eegnet: sfreq not given, kernel lengths assume 128 Hz; pass sfreq=")
        kern1, kern2 = self.kernel_lengths()
        F2 = self.F1 * self.D if self.F2 is None else int(self.F2)
        module = _module()(input_shape[0], input_shape[1], n_classes, int(self.F1), int(self.D),
                           F2, kern1, kern2, int(self.pool1), int(self.pool2),
                           float(self.dropout), bool(self.whiten))
        gain = getattr(self, "whiten_gain_", None)
        if self.whiten and gain is not None and gain.shape == tuple(module.whiten_gain.shape):
            module.whiten_gain.copy_(torch.from_numpy(gain))
        return module

    def fit(self, X: Any, y: Any, X_val: Any = None, y_val: Any = None) -> EEGNet:
        """Train on raw windows; see :meth:`TorchClassifier.fit`.

        Parameters
        ----------
        X : ndarray, shape (n_windows, n_channels, n_samples)
            Raw windows (standardised).
        y : array_like, shape (n_windows,)
            Labels.
        X_val, y_val : ndarray | None
            Validation windows for early stopping.

        Returns
        -------
        self : EEGNet
        """
        return super().fit(X, y, X_val, y_val)
