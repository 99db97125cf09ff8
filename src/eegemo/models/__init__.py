"""Emotion-recognition models with one scikit-learn API.

Every model is an estimator with ``fit(X, y, X_val=None, y_val=None)``, ``predict``,
``predict_proba``, ``score``, ``get_params``/``set_params``, ``random_state``, a class attribute
``input_kind`` naming the array layout it takes, a ``CITATION``, and weights-only ``save``/``load``.

=============  ============  ==========================================================
name           input_kind    model
=============  ============  ==========================================================
svm            features      linear SVM on flattened DE (Zheng & Lu 2015)
logreg         features      logistic regression on flattened DE
seed-cnn       grid          the original project's 3-block CNN (reconstruction)
ccnn           grid          continuous CNN (Yang et al. 2018)
attention-4d   grid_seq      4D attention network (Xiao et al. 2022)
image-cnn      image         VGG-like CNN on topographic images (after Bashivan et al. 2016)
eegnet         raw           EEGNet-8,2 (Lawhern et al. 2018)
=============  ============  ==========================================================

Importing this package does not import torch; the networks import it when used.

Examples
--------
>>> from eegemo.models import get_model
>>> model = get_model("ccnn", max_epochs=30, random_state=0)   # doctest: +SKIP
>>> model.fit(X_train, y_train, X_val, y_val).score(X_test, y_test)   # doctest: +SKIP
>>> model.save("ccnn.pt"); same = load_model("ccnn.pt")   # doctest: +SKIP
"""

from __future__ import annotations

import importlib
import os
from typing import TYPE_CHECKING, Any

from ..errors import ConfigurationError, data_error, unknown_parameters

if TYPE_CHECKING:
    from ._base import BaseModel

__all__ = ["get_model", "list_models", "load_model", "model_class", "MODELS"]

#: name -> (module, class, one-line description)
MODELS: dict[str, tuple[str, str, str]] = {
    "svm": ("classical", "SVMClassifier", "linear SVM on flattened DE features"),
    "logreg": ("classical", "LogRegClassifier", "logistic regression on flattened DE features"),
    "seed-cnn": ("cnn", "SeedCNN", "the original project's 3-block CNN on the 9x9 grid "
                 "(reconstruction)"),
    "ccnn": ("cnn", "CCNN", "continuous CNN (Yang et al. 2018) on the 9x9 DE grid"),
    "attention-4d": ("attention", "Attention4D", "4D attention network (Xiao et al. 2022) on "
                     "sequences of 9x9 grids"),
    "image-cnn": ("cnn", "ImageCNN", "VGG-like CNN on interpolated topographic images"),
    "eegnet": ("eegnet", "EEGNet", "EEGNet-8,2 (Lawhern et al. 2018) on raw windows"),
}


def list_models() -> dict[str, str]:
    """The available models.

    Returns
    -------
    models : dict
        ``{name: description}``, in the order of the table above.
    """
    return {name: desc for name, (_, _, desc) in MODELS.items()}


def model_class(name: str) -> type:
    """The estimator class registered under ``name``.

    Parameters
    ----------
    name : str
        A key of :func:`list_models`.

    Returns
    -------
    cls : type
    """
    if name not in MODELS:
        raise ConfigurationError(f"unknown model {name!r}: allowed values are "
                                 f"{', '.join(MODELS)}")
    module, cls, _ = MODELS[name]
    return getattr(importlib.import_module(f"{__name__}.{module}"), cls)


def get_model(name: str, **params: Any) -> BaseModel:
    """Build an unfitted model.

    Parameters
    ----------
    name : str
        A key of :func:`list_models`.
    **params
        Constructor parameters of that model (e.g. ``max_epochs=50, random_state=0``).

    Returns
    -------
    model : estimator
        Unfitted; ``model.input_kind`` says which array it takes.
    """
    cls = model_class(name)
    valid = cls().get_params(deep=False)
    err = unknown_parameters(f"model {name!r}", params, valid)
    if err:
        raise err
    return cls(**params)


def load_model(path: str | os.PathLike, *, device: str | None = None) -> BaseModel:
    """Read a model saved with its ``save(path)`` (weights only; never unpickles objects).

    Parameters
    ----------
    path : path-like
        The checkpoint.
    device : str | None
        Override the stored ``device`` parameter of a torch model (e.g. ``"cpu"``).

    Returns
    -------
    model : estimator
        The fitted model.

    Raises
    ------
    DataFormatError
        A corrupted file, a checkpoint not written by eegemo, or weights that do not fit the model.
    """
    from ._checkpoint import read_checkpoint

    payload = read_checkpoint(path)
    name = payload["model"]
    if name not in MODELS:
        raise data_error(path, "checkpoint of an unknown model", expected=", ".join(MODELS),
                         found=repr(name))
    return model_class(name)._from_payload(payload, os.fspath(path), device=device)
