"""Conditional generators of emotional EEG (PyTorch modules behind one estimator API; no run folders).

Training on a store, writing samples to files and judging them live in :mod:`eegemo.evaluation`
(:mod:`~eegemo.evaluation.generation` and :mod:`~eegemo.evaluation.synthetic`).

=========  =================  ==============================================================
name       rows               model
=========  =================  ==============================================================
dense-gan  any (flattened)    the original project's dense GAN (MLP, BCE), a named reference
wgan-4d    (n_bands, 9, 9)    conditional WGAN-GP with 2-D convolutions on DE grids
wgan-raw   (n_ch, n_samples)  conditional WGAN-GP with 1-D convolutions on raw windows
ddpm       (n_ch, n_samples)  conditional denoising diffusion (1-D U-Net, cosine schedule, DDIM)
=========  =================  ==============================================================

Every generator has ``fit(X, y, subjects=None)``, ``sample(n, emotion, random_state=None)``,
``save(path)`` / ``load(path)`` (weights-only checkpoints), ``history_`` (losses per epoch),
``random_state`` and ``device="auto"``. Scaling is handled inside: ``fit`` stores the statistics and
``sample`` returns rows in the units of the training data. Importing this package does not import
torch.

Examples
--------
>>> from eegemo.generative import get_generator
>>> gen = get_generator("wgan-4d", epochs=50, random_state=0,
...                     label_names={0: "negative", 1: "neutral", 2: "positive"})  # doctest: +SKIP
>>> gen.fit(X_grid, y)                                      # doctest: +SKIP
>>> fake = gen.sample(100, "positive", random_state=1)      # (100, 5, 9, 9)  # doctest: +SKIP
"""

from __future__ import annotations

import importlib
import os
from typing import TYPE_CHECKING, Any

from ..errors import ConfigurationError, unknown_parameters

if TYPE_CHECKING:
    from ._base import BaseGenerator

__all__ = ["get_generator", "list_generators", "load_generator", "generator_class", "GENERATORS"]

#: name -> (module, class, one-line description, default store array)
GENERATORS: dict[str, tuple[str, str, str, str]] = {
    "dense-gan": ("gan", "DenseGAN", "the original project's dense conditional GAN (MLP, BCE loss) "
                  "on flattened rows, kept as a reference", "de_grid"),
    "wgan-4d": ("gan", "WGAN4D", "conditional WGAN-GP with 2-D convolutions on 4-D DE segments "
                "(bands x 9 x 9)", "de_grid"),
    "wgan-raw": ("gan", "WGANRaw", "conditional WGAN-GP with 1-D convolutions on raw windows "
                 "(channels x samples)", "raw"),
    "ddpm": ("diffusion", "DDPM", "conditional denoising diffusion (1-D U-Net, cosine schedule, "
             "DDIM sampling, classifier-free guidance) on raw windows", "raw"),
}


def list_generators() -> dict[str, str]:
    """The available generators.

    Returns
    -------
    generators : dict
        ``{name: description}``.
    """
    return {name: desc for name, (_, _, desc, _) in GENERATORS.items()}


def generator_class(name: str) -> type:
    """The class registered under ``name`` (a key of :func:`list_generators`).

    Parameters
    ----------
    name : str
        ``"dense-gan"``, ``"wgan-4d"``, ``"wgan-raw"`` or ``"ddpm"``.

    Returns
    -------
    cls : type
        The generator class (a :class:`BaseGenerator` subclass, not an instance); its module is
        imported on first use.

    Raises
    ------
    ConfigurationError
        If ``name`` is not a registered generator.
    """
    if name not in GENERATORS:
        raise ConfigurationError(f"unknown generator {name!r}: allowed values are "
                                 f"{', '.join(GENERATORS)}")
    module, cls, _, _ = GENERATORS[name]
    return getattr(importlib.import_module(f"{__name__}.{module}"), cls)


def get_generator(name: str, **params: Any) -> BaseGenerator:
    """Build an unfitted generator.

    Parameters
    ----------
    name : str
        ``"dense-gan"``, ``"wgan-4d"``, ``"wgan-raw"`` or ``"ddpm"``.
    **params
        Constructor parameters (``epochs``, ``batch_size``, ``lr``, ``random_state``, ``device``,
        ``label_names``, model-specific widths ...).

    Returns
    -------
    generator : BaseGenerator
    """
    import inspect

    cls = generator_class(name)
    allowed = [p for p in inspect.signature(cls.__init__).parameters if p != "self"]
    err = unknown_parameters(name, params, allowed)
    if err:
        raise err
    return cls(**params)


def load_generator(path: str | os.PathLike, *, device: str | None = None) -> BaseGenerator:
    """Load any generator checkpoint written by ``save`` (weights only).

    Parameters
    ----------
    path : path-like
        The ``.pt`` file.
    device : str | None
        Override the stored device (e.g. ``"cpu"``).

    Returns
    -------
    generator : BaseGenerator
    """
    from ._base import BaseGenerator

    return BaseGenerator.load(path, device=device)


def default_array(name: str) -> str:
    """The store array a generator trains on by default (``"de_grid"`` or ``"raw"``)."""
    generator_class(name)
    return GENERATORS[name][3]
