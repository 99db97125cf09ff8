"""EEGNet-8,2 (Lawhern et al. 2018) on raw windows (n_channels, n_samples).

Block 1: a temporal convolution (F1 = 8 filters, half a second long), batch norm, a depthwise spatial
convolution over all channels (D = 2 per filter, max-norm 1), batch norm, ELU, average pooling by 4,
dropout. Block 2: a separable convolution (depthwise, an eighth of a second of the pooled signal, then
F2 = 16 pointwise filters), batch norm, ELU, average pooling by 8, dropout. Classifier: flatten, linear
(max-norm 0.25).

The paper's kernel lengths (64 and 16 samples) are for 128 Hz; here they follow ``sfreq``:
``round(sfreq / 2)`` and ``round(sfreq / 8)`` samples, so the network sees the same time spans at any
sampling rate (e.g. 100 and 25 at SEED's 200 Hz).
"""

from __future__ import annotations

import functools
from typing import Any, ClassVar

import numpy as np

from .._logging import logger
from ..errors import ConfigurationError
from ._base import COMMON_PARAMS_DOC, TorchClassifier

__all__ = ["EEGNet"]


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
                     dropout: float) -> None:
            super().__init__()
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

        def embed(self, x: torch.Tensor) -> torch.Tensor:
            x = self.block1(x.unsqueeze(1))
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
    {COMMON_PARAMS_DOC}

    Notes
    -----
    Input rows are (n_channels, n_samples) in any consistent unit; standardise them (e.g. per
    channel, fitted on the training rows) since raw volts are ~1e-5.
    """

    name: ClassVar[str] = "eegnet"
    input_kind: ClassVar[str] = "raw"
    DESCRIPTION: ClassVar[str] = "EEGNet-8,2 (Lawhern et al. 2018) on raw windows"
    CITATION: ClassVar[str] = (
        "Lawhern V.J., Solon A.J., Waytowich N.R., Gordon S.M., Hung C.P., Lance B.J. (2018). "
        "EEGNet: a compact convolutional neural network for EEG-based brain-computer interfaces. "
        "Journal of Neural Engineering 15(5):056013. doi:10.1088/1741-2552/aace8c")

    def __init__(self, sfreq: float | None = None, F1: int = 8, D: int = 2,
                 F2: int | None = None, pool1: int = 4, pool2: int = 8, dropout: float = 0.5,
                 max_epochs: int = 100, batch_size: int = 64, lr: float = 1e-3,
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

    def _build_module(self, input_shape, n_classes):
        if self.sfreq is None:
            logger.warning("eegnet: sfreq not given, kernel lengths assume 128 Hz; pass sfreq=")
        kern1, kern2 = self.kernel_lengths()
        F2 = self.F1 * self.D if self.F2 is None else int(self.F2)
        return _module()(input_shape[0], input_shape[1], n_classes, int(self.F1), int(self.D), F2,
                         kern1, kern2, int(self.pool1), int(self.pool2), float(self.dropout))

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
