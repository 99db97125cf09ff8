"""Convolutional networks on 2-D maps: the original project's CNN, CCNN, and an image CNN.

* ``seed-cnn`` (:class:`SeedCNN`): the 3-block Keras CNN of the student project eegemo grew out of,
  kept as a named reference. Its source is not available; this is a **reconstruction** from its
  description (three 3 × 3 convolution blocks of 32, 64 and 128 filters with ReLU and 2 × 2 max
  pooling on the (bands, 9, 9) grid, a dense layer, dropout, softmax). That project reported 0.37 on
  three classes.
* ``ccnn`` (:class:`CCNN`): Yang et al. (2018): four 4 × 4 convolutions (64, 128, 256, 64 filters,
  "same" padding, ReLU, no pooling) on the (bands, 9, 9) grid of DE features, a 1024-unit dense layer,
  dropout and softmax.
* ``image-cnn`` (:class:`ImageCNN`): a VGG-like network on interpolated topographic images
  (bands, H, W) in the spirit of Bashivan et al. (2016) (stacks of 3 × 3 convolutions with max pooling;
  here with batch normalisation and adaptive average pooling to a 4 × 4 map so any image size works).
"""

from __future__ import annotations

import functools
from typing import ClassVar

from ..errors import ConfigurationError
from ._augment import AUGMENT_PARAMS_DOC
from ._base import COMMON_PARAMS_DOC, TORCH_ATTRIBUTES_DOC, TorchClassifier

__all__ = ["SeedCNN", "CCNN", "ImageCNN"]


def _check_widths(name: str, key: str, widths, n: int | None = None) -> tuple[int, ...]:
    try:
        widths = tuple(int(w) for w in widths)
    except (TypeError, ValueError):
        raise ConfigurationError(f"{name}: {key} must be a sequence of positive ints, found "
                                 f"{widths!r}") from None
    if not widths or min(widths) < 1 or (n is not None and len(widths) != n):
        raise ConfigurationError(f"{name}: {key} must be {n or 'one or more'} positive ints, "
                                 f"found {widths!r}")
    return widths


def _ccnn_conv_layers(in_ch: int, filters) -> list:
    """CCNN's convolution stack (Yang et al. 2018) as a list of torch modules.

    One 4 × 4 convolution per entry of ``filters``, each with "same" padding as Keras/TensorFlow do
    it for an even kernel (1 before, 2 after) and a ReLU; no pooling. Shared by :class:`CCNN` and
    the ``body="ccnn"`` option of :class:`eegemo.models.attention.Attention4D`.
    """
    from torch import nn

    layers, ch = [], in_ch
    for width in filters:
        layers += [nn.ZeroPad2d((1, 2, 1, 2)), nn.Conv2d(ch, width, 4), nn.ReLU()]
        ch = width
    return layers


@functools.cache
def _modules():
    """The torch modules, built on first use so that importing this file does not import torch."""
    import torch
    from torch import nn

    class SeedCNNNet(nn.Module):
        def __init__(self, in_ch: int, size: tuple[int, int], widths, dense: int, dropout: float,
                     n_classes: int) -> None:
            super().__init__()
            layers, ch, (h, w) = [], in_ch, size
            for width in widths:
                layers += [nn.Conv2d(ch, width, 3, padding=1), nn.ReLU()]
                if min(h, w) >= 2:  # Keras MaxPooling2D((2, 2)), "valid": 9 -> 4 -> 2 -> 1
                    layers.append(nn.MaxPool2d(2))
                    h, w = h // 2, w // 2
                ch = width
            self.features = nn.Sequential(*layers, nn.Flatten())
            self.dense = nn.Sequential(nn.Linear(ch * h * w, dense), nn.ReLU())
            self.head = nn.Sequential(nn.Dropout(dropout), nn.Linear(dense, n_classes))

        def embed(self, x: torch.Tensor) -> torch.Tensor:
            return self.dense(self.features(x))

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return self.head(self.embed(x))

    class CCNNNet(nn.Module):
        def __init__(self, in_ch: int, size: tuple[int, int], filters, hidden: int,
                     dropout: float, n_classes: int) -> None:
            super().__init__()
            self.features = nn.Sequential(*_ccnn_conv_layers(in_ch, filters), nn.Flatten())
            self.dense = nn.Sequential(nn.Linear(filters[-1] * size[0] * size[1], hidden),
                                       nn.ReLU())
            self.head = nn.Sequential(nn.Dropout(dropout), nn.Linear(hidden, n_classes))

        def embed(self, x: torch.Tensor) -> torch.Tensor:
            return self.dense(self.features(x))

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return self.head(self.embed(x))

    class ImageCNNNet(nn.Module):
        def __init__(self, in_ch: int, widths, convs_per_block: int, hidden: int,
                     dropout: float, n_classes: int, size: tuple[int, int]) -> None:
            super().__init__()
            layers, ch, (h, w) = [], in_ch, size
            for width in widths:
                for _ in range(convs_per_block):
                    layers += [nn.Conv2d(ch, width, 3, padding=1, bias=False),
                               nn.BatchNorm2d(width), nn.ReLU()]
                    ch = width
                if min(h, w) >= 2:
                    layers.append(nn.MaxPool2d(2))
                    h, w = h // 2, w // 2
            # a coarse 4 x 4 map, not a global average: where on the scalp matters
            self.features = nn.Sequential(*layers, nn.AdaptiveAvgPool2d(4), nn.Flatten())
            self.dense = nn.Sequential(nn.Linear(ch * 16, hidden), nn.ReLU())
            self.head = nn.Sequential(nn.Dropout(dropout), nn.Linear(hidden, n_classes))

        def embed(self, x: torch.Tensor) -> torch.Tensor:
            return self.dense(self.features(x))

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return self.head(self.embed(x))

    return SeedCNNNet, CCNNNet, ImageCNNNet


class _GridModel(TorchClassifier):
    input_kind: ClassVar[str] = "grid"

    def _check_input_shape(self, input_shape: tuple[int, ...]) -> None:
        if min(input_shape) < 1:
            raise ConfigurationError(f"{self.name}: rows must be (n_bands, height, width) with "
                                     f"positive sizes, found {input_shape}")
        if not 0 <= self.dropout < 1:
            raise ConfigurationError(f"{self.name}: dropout must be in [0, 1), found "
                                     f"{self.dropout!r}")


class SeedCNN(_GridModel):
    __doc__ = f"""The original project's 3-block CNN (a reconstruction), on the (bands, 9, 9) grid.

    Parameters
    ----------
    widths : tuple of int
        Filters of the three 3 × 3 convolution blocks (each ReLU + 2 × 2 max pooling).
    dense : int
        Units of the dense layer.
    dropout : float
        Dropout before the output layer.
    {AUGMENT_PARAMS_DOC}
    {COMMON_PARAMS_DOC}

    Attributes
    ----------
    {TORCH_ATTRIBUTES_DOC}

    Notes
    -----
    The student project's Keras code is not available; the layer sizes follow its description and
    are an assumption. Kept so that its reported 0.37 (3 classes) can be compared under eegemo's
    trial-disjoint protocols.
    """

    name: ClassVar[str] = "seed-cnn"
    DESCRIPTION: ClassVar[str] = ("the original project's 3-block CNN on the 9x9 grid "
                                  "(reconstruction)")
    CITATION: ClassVar[str] = ("Reconstruction of the 3-block Keras CNN of the student project "
                               "eegemo originates from (unpublished); see the README, section "
                               "'Recognition models'.")

    def __init__(self, widths: tuple[int, ...] = (32, 64, 128), dense: int = 128,
                 dropout: float = 0.5, augment: str | None = "smooth-gain",
                 augment_strength: float = 1.0, augment_width: float = 0.25,
                 max_epochs: int = 100, batch_size: int = 64,
                 lr: float = 1e-3, weight_decay: float = 0.0, patience: int = 10,
                 monitor: str = "val_loss",
                 device: str = "auto", amp: bool = False, n_threads: int | None = None,
                 random_state: int | None = None, verbose: bool = False) -> None:
        self.widths = widths
        self.dense = dense
        self.dropout = dropout
        self.augment = augment
        self.augment_strength = augment_strength
        self.augment_width = augment_width
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

    def _build_module(self, input_shape, n_classes):
        net = _modules()[0]
        widths = _check_widths(self.name, "widths", self.widths)
        return net(input_shape[0], input_shape[1:], widths, int(self.dense), float(self.dropout),
                   n_classes)


class CCNN(_GridModel):
    __doc__ = f"""Continuous CNN (Yang et al. 2018) on the (bands, 9, 9) grid of DE features.

    Parameters
    ----------
    filters : tuple of int
        Filters of the 4 × 4 "same" convolutions (paper: 64, 128, 256, 64), ReLU, no pooling.
    hidden : int
        Units of the dense layer (paper: 1024).
    dropout : float
        Dropout before the output layer.
    {AUGMENT_PARAMS_DOC}
    {COMMON_PARAMS_DOC}

    Attributes
    ----------
    {TORCH_ATTRIBUTES_DOC}
    """

    name: ClassVar[str] = "ccnn"
    DESCRIPTION: ClassVar[str] = "continuous CNN (Yang et al. 2018) on the 9x9 DE grid"
    CITATION: ClassVar[str] = (
        "Yang Y., Wu Q., Fu Y., Chen X. (2018). Continuous convolutional neural network with 3D "
        "input for EEG-based emotion recognition. ICONIP 2018, LNCS 11307, 433-443. "
        "doi:10.1007/978-3-030-04239-4_39")

    def __init__(self, filters: tuple[int, ...] = (64, 128, 256, 64), hidden: int = 1024,
                 dropout: float = 0.5, augment: str | None = "smooth-gain",
                 augment_strength: float = 1.0, augment_width: float = 0.25,
                 max_epochs: int = 100, batch_size: int = 64,
                 lr: float = 1e-4, weight_decay: float = 0.0, patience: int = 10,
                 monitor: str = "val_loss",
                 device: str = "auto", amp: bool = False, n_threads: int | None = None,
                 random_state: int | None = None, verbose: bool = False) -> None:
        self.filters = filters
        self.hidden = hidden
        self.dropout = dropout
        self.augment = augment
        self.augment_strength = augment_strength
        self.augment_width = augment_width
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

    def _build_module(self, input_shape, n_classes):
        net = _modules()[1]
        filters = _check_widths(self.name, "filters", self.filters)
        return net(input_shape[0], input_shape[1:], filters, int(self.hidden),
                   float(self.dropout), n_classes)


class ImageCNN(_GridModel):
    __doc__ = f"""VGG-like CNN on interpolated topographic images (bands, H, W), e.g. 32 × 32.

    Parameters
    ----------
    widths : tuple of int
        Filters of each block; a block is ``convs_per_block`` 3 × 3 convolutions (batch norm, ReLU)
        and a 2 × 2 max pooling.
    convs_per_block : int
        Convolutions per block.
    hidden : int
        Units of the dense layer after the pooling to 4 × 4.
    dropout : float
        Dropout before the output layer.
    {AUGMENT_PARAMS_DOC}
    {COMMON_PARAMS_DOC}

    Attributes
    ----------
    {TORCH_ATTRIBUTES_DOC}

    Notes
    -----
    Bashivan et al. (2016) stack 3 × 3 convolutions (4 × 32, 2 × 64, 1 × 128 with max pooling) on
    images of theta, alpha and beta power; this network follows that pattern with batch
    normalisation and an adaptive average pooling to 4 × 4 before the dense layer (an adaptation, so
    that 16 × 16 to 64 × 64 images work while keeping where on the head a pattern is).
    """

    name: ClassVar[str] = "image-cnn"
    input_kind: ClassVar[str] = "image"
    DESCRIPTION: ClassVar[str] = "VGG-like CNN on interpolated topographic images"
    CITATION: ClassVar[str] = (
        "Bashivan P., Rish I., Yeasin M., Codella N. (2016). Learning representations from EEG "
        "with deep recurrent-convolutional neural networks. ICLR 2016. arXiv:1511.06448")

    def __init__(self, widths: tuple[int, ...] = (32, 64, 128), convs_per_block: int = 2,
                 hidden: int = 128, dropout: float = 0.5, augment: str | None = "smooth-gain",
                 augment_strength: float = 1.0, augment_width: float = 0.25, max_epochs: int = 100,
                 batch_size: int = 64, lr: float = 1e-3, weight_decay: float = 0.0,
                 patience: int = 10,
                 monitor: str = "val_loss", device: str = "auto", amp: bool = False,
                 n_threads: int | None = None, random_state: int | None = None,
                 verbose: bool = False) -> None:
        self.widths = widths
        self.convs_per_block = convs_per_block
        self.hidden = hidden
        self.dropout = dropout
        self.augment = augment
        self.augment_strength = augment_strength
        self.augment_width = augment_width
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

    def _build_module(self, input_shape, n_classes):
        net = _modules()[2]
        widths = _check_widths(self.name, "widths", self.widths)
        if int(self.convs_per_block) < 1:
            raise ConfigurationError(f"{self.name}: convs_per_block must be >= 1, found "
                                     f"{self.convs_per_block!r}")
        return net(input_shape[0], widths, int(self.convs_per_block), int(self.hidden),
                   float(self.dropout), n_classes, input_shape[1:])
