"""The 4-D attention network (4D-aNN, Xiao et al. 2022) and sequence building for it.

Input: ``(n_sequences, T, n_bands, 9, 9)`` — T consecutive 1-s windows of one trial, each a (bands,
9, 9) grid of DE features (``input_kind="grid_seq"``). :func:`windows_to_sequences` builds such
sequences from per-window rows without ever crossing a trial boundary.

Architecture (re-implemented from the paper's description; no code was released with it):

1. **Spectral attention**, per time step: squeeze-and-excitation over the band axis — global average
   over the 9 × 9 positions, ``Linear(B, h) → ReLU → Linear(h, B) → sigmoid``, bands rescaled.
2. **Spatial attention**, per time step: the band-averaged 9 × 9 map, flattened,
   ``Linear(81, h) → ReLU → Linear(h, 81) → sigmoid``, one weight per grid position, applied to every
   band.
3. **CNN**, shared over time steps: 3 × 3 "same" convolutions (64, 128, 256, 64 filters, ReLU), a 2 × 2
   max pooling and a dense layer (512 units, ReLU, dropout).
4. **Temporal module**: a bidirectional LSTM over the T step embeddings and additive temporal
   attention (``softmax_t(v · tanh(W h_t))``), whose weighted sum of LSTM outputs is the sequence
   embedding; dropout and a linear classifier.

Assumed where the paper leaves it open: the hidden sizes of both attention modules (h = max(4, 2B)
for spectral, 32 for spatial), attention as multiplicative gates (sigmoid, not softmax) on the maps, the
3 × 3 kernels, one pooling layer, LSTM width 64 per direction, and 1-s windows with T = 6 by default
(the evaluation layer chooses T). The paper's 96 % on SEED came from windows of the same trials on
both sides of the split; under trial-disjoint protocols expect much less.

``body="ccnn"`` (opt-in, not the paper's network) keeps the two attention modules and the temporal
module but builds each step on CCNN (Yang et al. 2018), the strongest per-window network here:

* the per-step CNN is CCNN's: 4 × 4 "same" convolutions (64, 128, 256, 64 filters), no pooling, a
  1024-unit dense layer (``dense=None`` picks 512 for the paper's body and 1024 for this one), no
  dropout before the LSTM (dropout stays before the classifier);
* the attention gates are ``2 · sigmoid(z)`` with the last layer of each module initialised to zero,
  so that they start as the identity (weights exactly 1) and training moves them away from it only
  where that lowers the loss; weights lie in [0, 2];
* the learning rate is CCNN's, 1e-4 (``lr=None`` picks 1e-3 for the paper's body).

It was designed in one piece after the paper's body fell short of CCNN on simulated SEED, and
nothing in it was tuned afterwards. On 15 simulated subjects (``benchmarks/RESULTS.md``) it scores
0.84 against ccnn's 0.85 (paired Wilcoxon p = 0.86) and the paper body's 0.68 (p = 0.011), figures
from before the validation-carve and early-stopping fixes of 2026-12-07, after which the paper body
scores 0.77 against ccnn's 0.87 (p = 0.012).
"""

from __future__ import annotations

import functools
from typing import Any, ClassVar

import numpy as np

from ..errors import ConfigurationError
from ._augment import AUGMENT_PARAMS_DOC
from ._base import COMMON_PARAMS_DOC, TORCH_ATTRIBUTES_DOC, TorchClassifier
from .cnn import _check_widths, _ccnn_conv_layers

__all__ = ["Attention4D", "windows_to_sequences"]


def windows_to_sequences(X: Any, trial_ids: Any, T: int, stride: int = 1
                         ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Stack T consecutive windows of the same trial into sequences.

    Parameters
    ----------
    X : ndarray, shape (n_windows, ...)
        Per-window rows, e.g. (n_windows, n_bands, 9, 9); the windows of each trial in time order
        (rows of different trials may interleave).
    trial_ids : array_like, shape (n_windows,)
        One key per row naming its trial (int, str, or anything ``np.unique`` sorts); a trial
        must be unique across recordings (e.g. ``"recording/trial"``).
    T : int
        Windows per sequence (>= 1).
    stride : int
        Step in windows between the starts of consecutive sequences of a trial.

    Returns
    -------
    Xseq : ndarray, shape (n_sequences, T, ...)
        Sequences, trials in order of first appearance, sequences of a trial in time order. A trial
        with fewer than T windows contributes none.
    seq_trial_ids : ndarray, shape (n_sequences,)
        The trial key of each sequence.
    last_window_positions : ndarray of int, shape (n_sequences,)
        Row position in ``X`` of the last window of each sequence (the row whose label and metadata
        the sequence's prediction belongs to).

    Examples
    --------
    >>> X = np.arange(5.0)[:, None]
    >>> Xs, ids, last = windows_to_sequences(X, [1, 1, 1, 2, 2], T=2)
    >>> Xs[:, :, 0].tolist(), ids.tolist(), last.tolist()
    ([[0.0, 1.0], [1.0, 2.0], [3.0, 4.0]], [1, 1, 2], [1, 2, 4])
    """
    X = np.asarray(X)
    ids = np.asarray(trial_ids)
    if ids.ndim != 1 or len(ids) != len(X):
        raise ConfigurationError(f"windows_to_sequences: trial_ids must be 1-D with one key per "
                                 f"row, expected shape ({len(X)},), found {ids.shape}")
    for key, value in (("T", T), ("stride", stride)):
        if not isinstance(value, (int, np.integer)) or value < 1:
            raise ConfigurationError(f"windows_to_sequences: {key} must be a positive int, found "
                                     f"{value!r}")
    if len(X) == 0:
        return np.empty((0, T, *X.shape[1:]), X.dtype), ids[:0], np.empty(0, np.int64)
    uniq, first, inverse = np.unique(ids, return_index=True, return_inverse=True)
    rows_by_trial = np.argsort(inverse, kind="stable")  # rows grouped by trial, time order kept
    counts = np.bincount(inverse, minlength=len(uniq))
    offsets = np.concatenate([[0], np.cumsum(counts)])
    blocks = []
    for t in np.argsort(first, kind="stable"):  # trials in order of first appearance
        rows = rows_by_trial[offsets[t]:offsets[t + 1]]
        if len(rows) < T:
            continue
        starts = np.arange(0, len(rows) - T + 1, stride)
        blocks.append(rows[starts[:, None] + np.arange(T)[None, :]])
    if not blocks:
        return (np.empty((0, T, *X.shape[1:]), X.dtype), ids[:0], np.empty(0, np.int64))
    index = np.concatenate(blocks)
    return X[index], ids[index[:, -1]], index[:, -1].astype(np.int64)


@functools.cache
def _module():
    import torch
    from torch import nn

    class Attention4DNet(nn.Module):
        def __init__(self, n_bands: int, size: tuple[int, int], filters, dense: int,
                     lstm_hidden: int, spatial_hidden: int, dropout: float,
                     n_classes: int, body: str = "paper") -> None:
            super().__init__()
            h, w = size
            spec_hidden = max(4, 2 * n_bands)
            self.spectral = nn.Sequential(nn.Linear(n_bands, spec_hidden), nn.ReLU(),
                                          nn.Linear(spec_hidden, n_bands))
            self.spatial = nn.Sequential(nn.Linear(h * w, spatial_hidden), nn.ReLU(),
                                         nn.Linear(spatial_hidden, h * w))
            # paper: sigmoid gates in [0, 1]; ccnn: 2 sigmoid in [0, 2], exactly 1 at the start
            self.gate_scale = 1.0 if body == "paper" else 2.0
            if body == "ccnn":
                for last in (self.spectral[-1], self.spatial[-1]):
                    nn.init.zeros_(last.weight)
                    nn.init.zeros_(last.bias)
            if body == "ccnn":  # CCNN's 4 x 4 "same" convolutions, no pooling, no dropout
                layers = _ccnn_conv_layers(n_bands, filters)
                step_out = [nn.Linear(filters[-1] * h * w, dense), nn.ReLU()]
            else:
                layers, ch = [], n_bands
                for width in filters:
                    layers += [nn.Conv2d(ch, width, 3, padding=1), nn.ReLU()]
                    ch = width
                if min(h, w) >= 2:
                    layers.append(nn.MaxPool2d(2))
                    h, w = h // 2, w // 2
                step_out = [nn.Linear(ch * h * w, dense), nn.ReLU(), nn.Dropout(dropout)]
            self.cnn = nn.Sequential(*layers, nn.Flatten(), *step_out)
            self.lstm = nn.LSTM(dense, lstm_hidden, batch_first=True, bidirectional=True)
            self.temporal = nn.Sequential(nn.Linear(2 * lstm_hidden, lstm_hidden), nn.Tanh(),
                                          nn.Linear(lstm_hidden, 1, bias=False))
            self.head = nn.Sequential(nn.Dropout(dropout), nn.Linear(2 * lstm_hidden, n_classes))

        def step_attention(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
            """Spectral (n, B) and spatial (n, H*W) attention weights of per-step maps (n, B, H, W)."""
            spectral = self.gate_scale * torch.sigmoid(self.spectral(x.mean(dim=(2, 3))))
            spatial = self.gate_scale * torch.sigmoid(
                self.spatial((x * spectral[:, :, None, None]).mean(dim=1).flatten(1)))
            return spectral, spatial

        def embed(self, x: torch.Tensor) -> torch.Tensor:
            n, t, b, h, w = x.shape
            steps = x.reshape(n * t, b, h, w)
            spectral, spatial = self.step_attention(steps)
            steps = steps * spectral[:, :, None, None] * spatial.view(n * t, 1, h, w)
            feats = self.cnn(steps).view(n, t, -1)
            out, _ = self.lstm(feats)
            alpha = torch.softmax(self.temporal(out).squeeze(-1), dim=1)
            return (alpha.unsqueeze(-1) * out).sum(dim=1)

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return self.head(self.embed(x))

    return Attention4DNet


class Attention4D(TorchClassifier):
    __doc__ = f"""4-D attention network (4D-aNN, Xiao et al. 2022) on sequences of 9 × 9 band grids.

    Parameters
    ----------
    body : {{"paper", "ccnn"}}
        Per-step network. ``"paper"`` (default): the network as the paper describes it (3 × 3
        convolutions, one 2 × 2 pooling, sigmoid attention gates). ``"ccnn"`` (opt-in, not the
        paper's): CCNN's 4 × 4 convolutions without pooling, attention gates ``2 · sigmoid`` that
        start as the identity, no dropout before the LSTM, and CCNN's learning rate; see the
        module docstring.
    filters : tuple of int
        Filters of the per-step convolutions (3 × 3 for the paper's body, 4 × 4 for ``"ccnn"``).
    dense : int | None
        Units of the per-step dense layer (input of the LSTM); None: 512 for the paper's body,
        1024 (CCNN's) for ``"ccnn"``.
    lstm_hidden : int
        LSTM units per direction.
    spatial_hidden : int
        Hidden units of the spatial attention module.
    dropout : float
        Dropout after the per-step dense layer (paper's body only) and before the classifier.
    seq_len : int
        Windows per sequence that sequence builders use by default (:func:`eegemo.evaluation.run`
        reads it); the network itself takes the T of the data given to ``fit``.
    {AUGMENT_PARAMS_DOC}
    {COMMON_PARAMS_DOC}

    Attributes
    ----------
    {TORCH_ATTRIBUTES_DOC}

    Notes
    -----
    ``lr=None`` (the default here) is 1e-3 for the paper's body and 1e-4 (CCNN's) for ``"ccnn"``.
    Input rows are (T, n_bands, 9, 9), built with :func:`windows_to_sequences`. See the module
    docstring for the architecture and what was assumed.
    """

    name: ClassVar[str] = "attention-4d"
    input_kind: ClassVar[str] = "grid_seq"
    DESCRIPTION: ClassVar[str] = ("4D attention network (Xiao et al. 2022): spectral + spatial "
                                  "attention, CNN, bi-LSTM with temporal attention")
    CITATION: ClassVar[str] = (
        "Xiao G., Shi M., Ye M., Xu B., Chen Z., Ren Q. (2022). 4D attention-based neural network "
        "for EEG emotion recognition. Cognitive Neurodynamics 16, 805-818.")

    #: per body: (default dense units, default learning rate)
    BODIES: ClassVar[dict[str, tuple[int, float]]] = {"paper": (512, 1e-3), "ccnn": (1024, 1e-4)}

    def __init__(self, body: str = "paper", filters: tuple[int, ...] = (64, 128, 256, 64),
                 dense: int | None = None,
                 lstm_hidden: int = 64, spatial_hidden: int = 32, dropout: float = 0.5,
                 augment: str | None = "smooth-gain",
                 augment_strength: float = 1.0, augment_width: float = 0.25,
                 seq_len: int = 6, max_epochs: int = 100, batch_size: int = 64,
                 lr: float | None = None,
                 weight_decay: float = 0.0, patience: int = 10,
                 monitor: str = "val_loss", device: str = "auto",
                 amp: bool = False, n_threads: int | None = None,
                 random_state: int | None = None, verbose: bool = False) -> None:
        self.body = body
        self.filters = filters
        self.dense = dense
        self.lstm_hidden = lstm_hidden
        self.spatial_hidden = spatial_hidden
        self.dropout = dropout
        self.augment = augment
        self.augment_strength = augment_strength
        self.augment_width = augment_width
        self.seq_len = seq_len
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

    def _body(self) -> str:
        if self.body not in self.BODIES:
            raise ConfigurationError(f"{self.name}: body must be one of {sorted(self.BODIES)}, "
                                     f"found {self.body!r}")
        return self.body

    def _learning_rate(self) -> float:
        return self.BODIES[self._body()][1] if self.lr is None else self.lr

    def _check_input_shape(self, input_shape: tuple[int, ...]) -> None:
        if min(input_shape) < 1:
            raise ConfigurationError(f"{self.name}: rows must be (T, n_bands, height, width) "
                                     f"with positive sizes, found {input_shape}")
        if not 0 <= self.dropout < 1:
            raise ConfigurationError(f"{self.name}: dropout must be in [0, 1), found "
                                     f"{self.dropout!r}")

    def _build_module(self, input_shape, n_classes):
        filters = _check_widths(self.name, "filters", self.filters)
        body = self._body()
        dense = self.BODIES[body][0] if self.dense is None else self.dense
        dense, lstm_hidden, spatial_hidden = _check_widths(
            self.name, "dense, lstm_hidden and spatial_hidden",
            (dense, self.lstm_hidden, self.spatial_hidden), 3)
        return _module()(input_shape[1], input_shape[2:], filters, dense, lstm_hidden,
                         spatial_hidden, float(self.dropout), n_classes, body)

    def attention_weights(self, X: Any) -> dict[str, np.ndarray]:
        """Spectral and spatial attention weights, for interpretation.

        Parameters
        ----------
        X : ndarray, shape (n_sequences, T, n_bands, H, W)
            Input sequences.

        Returns
        -------
        weights : dict
            ``"spectral"``: (n_sequences, T, n_bands); ``"spatial"``: (n_sequences, T, H, W),
            both in [0, 1] for the paper's body and in [0, 2] (1 = unchanged) for ``"ccnn"``.
        """
        import torch

        Xt = self._prepare_eval(X)
        n, t, b, h, w = Xt.shape
        spec_all, spat_all = [], []
        with torch.no_grad():
            for start in range(0, n, 512):
                xb = Xt[start:start + 512].to(self.device_).reshape(-1, b, h, w)
                spectral, spatial = self.module_.step_attention(xb)
                spec_all.append(spectral.float().cpu())
                spat_all.append(spatial.float().cpu())
        return {"spectral": torch.cat(spec_all).view(n, t, b).numpy(),
                "spatial": torch.cat(spat_all).view(n, t, h, w).numpy()}
