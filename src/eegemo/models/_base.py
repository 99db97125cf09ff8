"""The estimator base shared by every recognition model, and the torch training loop.

:class:`BaseModel` holds what every model has (input checks, label mapping, ``save``/``load``);
:class:`TorchClassifier` adds one training loop for every network: Adam on cross-entropy, shuffled
mini-batches, early stopping on the validation loss (best weights restored), optional mixed precision on
CUDA, training-time augmentation for models with an ``augment`` parameter
(:mod:`eegemo.models._augment`), a progress bar per fit and a ``history_`` of per-epoch losses. A
network subclass only builds its ``torch.nn.Module`` (``_build_module``) whose ``forward`` returns logits and ``embed`` returns the
penultimate-layer features.
"""

from __future__ import annotations

import contextlib
import copy
import os
import warnings
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
from scipy.sparse import issparse as sp_issparse
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.exceptions import DataConversionWarning
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from .._logging import logger, progress_disabled
from ..errors import ConfigurationError, InputTypeError, data_error
from . import _checkpoint as ckpt

__all__ = ["BaseModel", "TorchClassifier", "INPUT_KINDS", "COMMON_PARAMS_DOC",
           "TORCH_ATTRIBUTES_DOC"]

#: integer layer-size parameters of the networks (those a model has are checked before fitting)
_SIZE_PARAMS = ("hidden", "dense", "F1", "D", "F2", "lstm_hidden", "spatial_hidden",
                "convs_per_block", "seq_len")

#: The input layouts a model can declare, with the array rank they need.
INPUT_KINDS: dict[str, tuple[int, str]] = {
    "features": (3, "(n_windows, n_channels, n_bands)"),
    "grid": (4, "(n_windows, n_bands, 9, 9)"),
    "grid_seq": (5, "(n_sequences, n_steps, n_bands, 9, 9)"),
    "image": (4, "(n_windows, n_bands, height, width)"),
    "raw": (3, "(n_windows, n_channels, n_samples)"),
}

COMMON_PARAMS_DOC = """max_epochs : int
        Most passes over the training data.
    batch_size : int
        Mini-batch size.
    lr : float
        Adam learning rate.
    weight_decay : float
        L2 penalty added by Adam.
    patience : int
        Epochs without an improvement of ``monitor`` before stopping (only when ``X_val`` is given
        to ``fit``), and never fewer than ``MIN_PATIENCE_STEPS`` (100) optimiser steps: on a small
        training set an epoch is a couple of steps, too few for a network to leave its
        initialisation before patience runs out. The weights of the best epoch are restored (a
        warning says when that is the first epoch: a barely trained network).
    monitor : {"val_loss", "val_accuracy"}
        What early stopping watches. ``"val_accuracy"`` keeps the latest epoch among those with the
        best validation accuracy; it suits validation sets of few trials, whose loss grows with the
        network's confidence long after its accuracy has stopped changing.
    device : str
        ``"auto"`` (CUDA when available, else CPU) or a torch device string.
    amp : bool
        Mixed precision: on CUDA bfloat16 where the GPU supports it, else float16 with loss scaling;
        on CPU bfloat16 autocast (faster only where the CPU has native bfloat16, e.g. AVX512-BF16).
    n_threads : int | None
        ``torch.set_num_threads`` during ``fit`` (restored afterwards); None leaves it.
    random_state : int | RandomState | None
        Seeds weight initialisation, dropout and shuffling; with an int, two fits on the same data and
        device give identical predictions (deterministic algorithms are requested where torch has them).
    verbose : bool
        Show a progress bar over epochs with the losses."""


TORCH_ATTRIBUTES_DOC = """classes_ : ndarray
        The labels seen in ``fit``, in the order of ``predict_proba``'s columns.
    input_shape_ : tuple of int
        Shape of one input row seen in ``fit``.
    module_ : torch.nn.Module
        The trained network (the weights of the best epoch where ``X_val`` was given).
    device_ : torch.device
        Where ``module_`` lives.
    history_ : list of dict
        One dict per epoch: ``epoch``, ``train_loss``, ``val_loss`` and ``val_accuracy`` (None
        where no ``X_val`` was given).
    best_epoch_ : int
        The epoch whose weights were kept (the last one without ``X_val``).
    n_iter_ : int
        Epochs trained (``len(history_)``; early stopping may end before ``max_epochs``), as
        scikit-learn's ``MLPClassifier`` counts them."""

#: optimiser steps without improvement that early stopping waits at least, whatever ``patience``
MIN_PATIENCE_STEPS = 100


def _cpu_has_bf16() -> bool:
    """Whether this CPU computes bfloat16 natively (AVX512-BF16 or AMX); False when unknown."""
    import torch

    for probe in ("_is_amx_tile_supported", "_is_avx512_bf16_supported"):
        fn = getattr(torch.cpu, probe, None)
        try:
            if fn is not None and fn():
                return True
        except RuntimeError:
            continue
    return False


class BaseModel(ClassifierMixin, BaseEstimator):
    """What every eegemo recognition model shares: input checks, labels, checkpoints.

    Subclasses set the class attributes ``name``, ``input_kind`` (a key of :data:`INPUT_KINDS`),
    ``CITATION`` and ``DESCRIPTION``, and implement ``_get_state``/``_set_state`` for checkpoints.
    """

    name: ClassVar[str] = ""
    input_kind: ClassVar[str] = ""
    CITATION: ClassVar[str] = ""
    DESCRIPTION: ClassVar[str] = ""

    # ------------------------------------------------------------------ input checks
    def _check_X(self, X: Any, *, fitted: bool, what: str = "X") -> np.ndarray:
        ndim, layout = INPUT_KINDS[self.input_kind]
        if X is None:
            raise ConfigurationError(f"{self.name}: {what} is None (expected a numeric array "
                                     f"{layout})")
        if sp_issparse(X):
            raise ConfigurationError(f"{self.name}: {what} is a sparse {type(X).__name__}; sparse "
                                     "input is not supported (pass X.toarray())")
        if np.iscomplexobj(X):
            raise ConfigurationError(f"{self.name}: {what} holds complex numbers (Complex data not "
                                     f"supported: expected real values {layout}; take np.abs or "
                                     "the power first)")
        try:
            X = np.asarray(X, dtype=np.float32)
        except (TypeError, ValueError) as err:
            raise InputTypeError(f"{self.name}: {what} must be a numeric array {layout}, "
                                 f"found {type(X).__name__} ({err})") from None
        if X.ndim != ndim:
            hint = ("; Reshape your data: X.reshape(-1, 1) for one feature, X.reshape(1, -1) "
                    "for one row") if X.ndim < 2 and self.input_kind == "features" else ""
            raise ConfigurationError(f"{self.name}: {what} must have shape {layout}, "
                                     f"found shape {X.shape}{hint}")
        if X.shape[0] == 0:
            raise ConfigurationError(f"{self.name}: {what} is empty (expected at least one row)")
        if fitted and tuple(X.shape[1:]) != tuple(self.input_shape_):
            # scikit-learn's wording first, so its tools (and users) recognise the mismatch
            raise ConfigurationError(
                f"{self.name}: {what} has {int(np.prod(X.shape[1:]))} features, but "
                f"{type(self).__name__} is expecting {int(np.prod(self.input_shape_))} features "
                f"as input (rows of shape {tuple(self.input_shape_)} as in fit, found "
                f"{tuple(X.shape[1:])})")
        if not np.isfinite(X).all():
            raise data_error(None, f"{self.name}: {what} holds NaN or infinite values",
                             expected="finite numbers",
                             found=f"{int((~np.isfinite(X)).sum())} non-finite values")
        return X

    def _check_y(self, y: Any, n: int, what: str = "y") -> np.ndarray:
        if y is None:
            raise ConfigurationError(f"{self.name}: fit requires y to be passed, but the target "
                                     f"{what} is None")
        y = np.asarray(y)
        if y.ndim == 2 and y.shape[1] == 1:   # a column vector, as scikit-learn takes it
            warnings.warn(f"A column-vector y was passed when a 1d array was expected ("
                          f"{self.name}: {what} of shape {y.shape} read as 1-D; use y.ravel())",
                          DataConversionWarning, stacklevel=3)
            y = y.ravel()
        if y.ndim != 1 or len(y) != n:
            raise ConfigurationError(f"{self.name}: {what} must be 1-D with one label per row, "
                                     f"expected shape ({n},), found {y.shape}")
        return y

    def _encode_labels(self, y: np.ndarray, what: str = "y") -> np.ndarray:
        idx = np.searchsorted(self.classes_, y)
        idx = np.clip(idx, 0, len(self.classes_) - 1)
        unknown = self.classes_[idx] != y
        if unknown.any():
            raise ConfigurationError(
                f"{self.name}: {what} holds labels not seen in training, expected "
                f"{self.classes_.tolist()}, found {sorted(set(np.asarray(y)[unknown].tolist()))}")
        return idx.astype(np.int64)

    def _set_classes(self, y: np.ndarray) -> np.ndarray:
        from sklearn.utils.multiclass import type_of_target

        try:
            kind = type_of_target(y)
        except ValueError:
            kind = "unknown"
        if kind in ("continuous", "continuous-multioutput", "unknown"):
            found = y[:5].tolist() if kind != "unknown" else f"dtype {y.dtype}"
            raise ConfigurationError(f"{self.name}: y must hold class labels, found {kind} values "
                                     f"({found}, …; Unknown label type: {kind}); ratings such as "
                                     "valence scores need binning into classes first (e.g. "
                                     "y >= 5)")
        self.classes_ = np.unique(y)
        if len(self.classes_) < 2:
            raise ConfigurationError(f"{self.name}: y must hold at least 2 classes, found 1 class "
                                     f"{self.classes_.tolist()} in {len(y)} row(s)")
        return self._encode_labels(y)

    def predict(self, X: Any) -> np.ndarray:
        """Predict class labels.

        Parameters
        ----------
        X : ndarray
            Input rows in the layout of :attr:`input_kind`.

        Returns
        -------
        y : ndarray, shape (n_rows,)
            Labels from ``classes_``.
        """
        proba = self.predict_proba(X)
        return self.classes_[np.argmax(proba, axis=1)]

    # ------------------------------------------------------------------ checkpoints
    def _get_state(self) -> dict[str, Any]:
        raise NotImplementedError

    def _set_state(self, state: dict[str, Any], path: Path) -> None:
        raise NotImplementedError

    def save(self, path: str | os.PathLike) -> Path:
        """Write a weights-only checkpoint (no pickled objects).

        Parameters
        ----------
        path : path-like
            Destination file, e.g. ``model.pt``.

        Returns
        -------
        path : Path
            The file written; read it back with :meth:`load` or :func:`eegemo.models.load_model`.
        """
        check_is_fitted(self, "classes_")
        classes = self.classes_.tolist()
        if not all(isinstance(c, (int, float, str, bool)) for c in classes):
            raise ConfigurationError(f"{self.name}: cannot save labels of type "
                                     f"{type(classes[0]).__name__} (expected int or str)")
        payload = {
            "model": self.name,
            "params": ckpt.params_for_checkpoint(self.get_params(deep=False)),
            "classes": classes,
            "input_shape": [int(s) for s in self.input_shape_],
            "history": ckpt.encode(list(getattr(self, "history_", [])), "history"),
            "state": self._get_state(),
        }
        return ckpt.write_checkpoint(path, payload)

    @classmethod
    def load(cls, path: str | os.PathLike, *, device: str | None = None) -> BaseModel:
        """Read a checkpoint written by :meth:`save`.

        Parameters
        ----------
        path : path-like
            The checkpoint.
        device : str | None
            Override the stored ``device`` parameter (torch models).

        Returns
        -------
        model : BaseModel
            The fitted estimator.

        Raises
        ------
        DataFormatError
            Corrupted file, foreign checkpoint, or a checkpoint of another model.
        """
        from . import load_model

        model = load_model(path, device=device)
        if cls.name and not isinstance(model, cls):
            raise data_error(path, "checkpoint of another model", expected=cls.name,
                             found=model.name)
        return model

    @classmethod
    def _from_payload(cls, payload: dict[str, Any], path: Path,
                      device: str | None = None) -> BaseModel:
        params = ckpt.params_from_checkpoint(dict(payload["params"]))
        valid = cls().get_params(deep=False)
        unknown = sorted(set(params) - set(valid))
        if unknown:
            raise data_error(path, f"parameters unknown to model {cls.name}",
                             expected=", ".join(sorted(valid)), found=", ".join(unknown))
        if device is not None and "device" in valid:
            params["device"] = device
        model = cls(**params)
        model.classes_ = np.asarray(payload["classes"])
        model.input_shape_ = tuple(int(s) for s in payload["input_shape"])
        model.history_ = ckpt.decode(payload.get("history", []))
        if isinstance(model, TorchClassifier):
            model.n_iter_ = len(model.history_)
        model._set_state(payload["state"], path)
        return model


class TorchClassifier(BaseModel):
    """Base of the torch networks: the training loop, prediction, embeddings, checkpoints.

    Subclasses define ``__init__`` with their architecture parameters plus the common ones
    (:data:`COMMON_PARAMS_DOC`) and implement ``_build_module(input_shape, n_classes)``.
    """

    #: accepted values of ``augment`` for models that have that parameter
    _AUGMENTATIONS: ClassVar[tuple[str, ...]] = ("smooth-gain", "gain")

    # ------------------------------------------------------------------ pickling
    def __getstate__(self):
        """Pickle (joblib, multiprocessing) the network as its weights: the torch module classes
        are built inside functions and cannot be pickled themselves."""
        state = dict(super().__getstate__())   # a copy: object.__getstate__ returns __dict__ itself
        module = state.pop("module_", None)
        if module is not None:
            state["_module_weights"] = {k: v.detach().cpu() for k, v in module.state_dict().items()}
        return state

    def __setstate__(self, state) -> None:
        weights = state.pop("_module_weights", None)
        super().__setstate__(state)
        if weights is not None:   # rebuilt as from a checkpoint, on this machine's device
            self._set_state(weights, Path("<pickle>"))

    # ------------------------------------------------------------------ hooks
    def _fit_statistics(self, X: np.ndarray) -> None:
        """Fit data-dependent constants of the network (before it is built); default: none."""

    def _build_module(self, input_shape: tuple[int, ...], n_classes: int):  # -> nn.Module
        raise NotImplementedError

    def _check_input_shape(self, input_shape: tuple[int, ...]) -> None:
        """Refuse input shapes the architecture cannot take (subclasses override)."""

    # ------------------------------------------------------------------ helpers
    def _device(self):
        from .._device import resolve_device

        return resolve_device(self.device, self.name)

    def _autocast(self, device):
        import torch

        if not self.amp or device.type not in ("cuda", "cpu"):
            return contextlib.nullcontext(), None
        if device.type == "cpu":  # bfloat16 autocast; fast with native bf16 (AVX512-BF16, AMX)
            return torch.autocast("cpu", dtype=torch.bfloat16), torch.bfloat16
        dtype = torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
        return torch.autocast("cuda", dtype=dtype), dtype

    def _learning_rate(self) -> float:
        """The Adam learning rate (a subclass resolves a default that depends on options)."""
        return self.lr

    def _check_common(self) -> None:
        for key in ("max_epochs", "batch_size"):
            value = getattr(self, key)
            if not isinstance(value, (int, np.integer)) or value < 1:
                raise ConfigurationError(f"{self.name}: {key} must be a positive int, found "
                                         f"{value!r}")
        for key in _SIZE_PARAMS:   # layer sizes: 0 would train a network that predicts one class
            value = getattr(self, key, None)
            if value is not None and (isinstance(value, bool) or not isinstance(value, (int, np.integer))
                                      or value < 1):
                raise ConfigurationError(f"{self.name}: {key} must be a positive int, found "
                                         f"{value!r}")
        for key in ("widths", "filters"):
            value = getattr(self, key, None)
            if value is not None and (np.ndim(value) != 1 or len(value) == 0 or any(
                    isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1
                    for v in value)):
                raise ConfigurationError(f"{self.name}: {key} must be positive ints, found "
                                         f"{value!r}")
        wd = getattr(self, "weight_decay", 0.0)
        if not (isinstance(wd, (int, float, np.floating)) and wd >= 0):
            raise ConfigurationError(f"{self.name}: weight_decay must be >= 0, found {wd!r}")
        if not isinstance(self.patience, (int, np.integer)) or self.patience < 1:
            raise ConfigurationError(f"{self.name}: patience must be a positive int, found "
                                     f"{self.patience!r}")
        if getattr(self, "monitor", "val_loss") not in ("val_loss", "val_accuracy"):
            raise ConfigurationError(f"{self.name}: monitor must be 'val_loss' or 'val_accuracy', "
                                     f"found {self.monitor!r}")
        lr = self._learning_rate()
        if not (isinstance(lr, (int, float, np.floating)) and lr > 0):
            raise ConfigurationError(f"{self.name}: lr must be > 0, found {self.lr!r}")
        if hasattr(self, "augment"):
            from ._augment import check_augment

            check_augment(self.name, self.augment, self.augment_strength,
                          getattr(self, "augment_width", None), self._AUGMENTATIONS)
        if self.n_threads is not None and (not isinstance(self.n_threads, (int, np.integer))
                                           or self.n_threads < 1):
            raise ConfigurationError(f"{self.name}: n_threads must be None or a positive int, "
                                     f"found {self.n_threads!r}")

    @contextlib.contextmanager
    def _fit_context(self, device):
        """Threads, deterministic algorithms and a private RNG for the duration of one fit."""
        import torch

        old_threads = torch.get_num_threads()
        old_det = torch.are_deterministic_algorithms_enabled()
        old_warn = torch.is_deterministic_algorithms_warn_only_enabled()
        old_bench = torch.backends.cudnn.benchmark
        if device.type == "cuda":
            os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
        devices = [device.index or 0] if device.type == "cuda" else []
        try:
            if self.n_threads is not None:
                torch.set_num_threads(int(self.n_threads))
            torch.use_deterministic_algorithms(True, warn_only=True)
            torch.backends.cudnn.benchmark = False
            with torch.random.fork_rng(devices=devices):
                yield
        finally:
            torch.set_num_threads(old_threads)
            torch.use_deterministic_algorithms(old_det, warn_only=old_warn)
            torch.backends.cudnn.benchmark = old_bench

    # ------------------------------------------------------------------ fit
    def fit(self, X: Any, y: Any, X_val: Any = None, y_val: Any = None) -> TorchClassifier:
        """Train the network.

        Parameters
        ----------
        X : ndarray
            Training rows in the layout of :attr:`input_kind`.
        y : array_like, shape (n_rows,)
            Labels (any integers or strings; mapped to 0..n_classes-1 internally).
        X_val, y_val : ndarray | None
            Validation rows (from trials other than the training ones) for early stopping.

        Returns
        -------
        self : TorchClassifier
        """
        import torch
        from tqdm.auto import tqdm

        self._check_common()
        X = self._check_X(X, fitted=False)
        y = self._check_y(y, len(X))
        y_idx = self._set_classes(y)
        self.input_shape_ = tuple(int(s) for s in X.shape[1:])
        self._check_input_shape(self.input_shape_)
        self._fit_statistics(X)
        has_val = X_val is not None
        if has_val != (y_val is not None):
            raise ConfigurationError(f"{self.name}: give both X_val and y_val or neither")
        if has_val:
            X_val = self._check_X(X_val, fitted=True, what="X_val")
            yv_idx = self._encode_labels(self._check_y(y_val, len(X_val), "y_val"), "y_val")
        device = self._device()
        seed = int(check_random_state(self.random_state).randint(0, 2**31 - 1))
        autocast, amp_dtype = self._autocast(device)
        if self.amp and amp_dtype is None:
            logger.info("%s: amp=True is ignored on %s", self.name, device.type)
        elif self.amp and device.type == "cpu" and not _cpu_has_bf16():
            logger.info("%s: amp=True on a CPU without native bfloat16: expect it to be slower",
                        self.name)
        scaler = torch.amp.GradScaler("cuda") if amp_dtype == torch.float16 else None

        with self._fit_context(device):
            torch.manual_seed(seed)
            module = self._build_module(self.input_shape_, len(self.classes_)).to(device)
            gen = torch.Generator().manual_seed(seed)
            augmenter = None
            if getattr(self, "augment", None) is not None:
                from ._augment import make_augmenter

                augmenter = make_augmenter(self.augment, self.augment_strength,
                                           getattr(self, "augment_width", None), X,
                                           self.input_kind, seed + 1)
            Xt = self._to_device(torch.from_numpy(X), device)
            yt = torch.from_numpy(y_idx).to(device)
            if has_val:
                Xv = self._to_device(torch.from_numpy(X_val), device)
                yv = torch.from_numpy(yv_idx).to(device)
            try:  # one fused kernel per step (CPU and CUDA); same numbers as the loop version
                opt = torch.optim.Adam(module.parameters(), lr=self._learning_rate(),
                                       weight_decay=self.weight_decay, fused=True)
            except (RuntimeError, TypeError):
                opt = torch.optim.Adam(module.parameters(), lr=self._learning_rate(),
                                       weight_decay=self.weight_decay)
            loss_fn = torch.nn.CrossEntropyLoss()
            by_accuracy = getattr(self, "monitor", "val_loss") == "val_accuracy"
            n = len(Xt)
            bs = min(int(self.batch_size), n)
            constrain = getattr(module, "constrain", None)
            self.history_: list[dict[str, Any]] = []
            best_loss, best_state, best_epoch, bad = np.inf, None, 0, 0
            best_acc, kept_acc = -np.inf, float("nan")
            bar = tqdm(range(1, int(self.max_epochs) + 1), desc=f"{self.name} fit", unit="epoch",
                       disable=progress_disabled() or not self.verbose, leave=False)
            for epoch in bar:
                module.train()
                order = torch.randperm(n, generator=gen)
                starts = list(range(0, n, bs))
                if len(starts) > 1 and n - starts[-1] == 1:  # a batch of one breaks batch norm
                    starts = starts[:-1]
                total, count = torch.zeros((), device=device), 0
                for start in starts:
                    idx = order[start:start + bs]
                    xb = Xt[idx.to(Xt.device)].to(device, non_blocking=True)
                    yb = yt[idx.to(yt.device)]
                    if augmenter is not None:
                        xb = augmenter(xb)
                    opt.zero_grad(set_to_none=True)
                    with autocast:
                        loss = loss_fn(module(xb).float(), yb)
                    if scaler is not None:
                        scaler.scale(loss).backward()
                        scaler.step(opt)
                        scaler.update()
                    else:
                        loss.backward()
                        opt.step()
                    if constrain is not None:
                        constrain()
                    total += loss.detach() * len(idx)
                    count += len(idx)
                record: dict[str, Any] = {"epoch": epoch, "train_loss": float(total) / max(count, 1),
                                          "val_loss": None, "val_accuracy": None}
                if has_val:
                    logits = self._forward_all(module, Xv, device)
                    record["val_loss"] = float(loss_fn(logits, yv))
                    record["val_accuracy"] = float((logits.argmax(1) == yv).float().mean())
                self.history_.append(record)
                bar.set_postfix({k: round(v, 4) for k, v in record.items()
                                 if k != "epoch" and v is not None})
                if not np.isfinite(record["train_loss"]):
                    raise ConfigurationError(f"{self.name}: training diverged at epoch {epoch} "
                                             f"(loss {record['train_loss']}); lower lr, found "
                                             f"lr={self._learning_rate()}")
                if has_val:
                    acc, vloss = record["val_accuracy"], record["val_loss"]
                    if by_accuracy:  # higher accuracy resets patience; a tie keeps the later weights
                        improved, keep = acc > best_acc, acc >= best_acc
                    else:
                        improved = keep = vloss < best_loss
                    if keep:
                        best_acc, best_loss, best_epoch = max(best_acc, acc), vloss, epoch
                        kept_acc = acc  # the kept epoch's own accuracy, whatever is monitored
                        best_state = copy.deepcopy(module.state_dict())
                    bad = 0 if improved else bad + 1
                    if bad >= self.patience and bad * len(starts) >= MIN_PATIENCE_STEPS:
                        logger.info("%s: early stop at epoch %d (best %d, val loss %.4f, val "
                                    "accuracy %.3f)", self.name, epoch, best_epoch, best_loss,
                                    kept_acc)
                        break
            bar.close()
            if best_state is not None:
                module.load_state_dict(best_state)
            self.best_epoch_ = best_epoch if has_val else len(self.history_)
            self.n_iter_ = len(self.history_)
            if has_val and best_epoch == 1 and len(self.history_) > 1:
                logger.warning("%s: the best validation %s was at the first epoch, so the network "
                               "returned is barely trained (validation rows %d: too few to judge "
                               "by? try %sa larger val_fraction, or val_fraction=0 with a fixed "
                               "max_epochs)", self.name, "accuracy" if by_accuracy else "loss",
                               len(yv), "" if by_accuracy else "monitor='val_accuracy', ")
        module.eval()
        self.module_ = module
        self.device_ = device
        return self

    @staticmethod
    def _to_device(x, device):
        """Whole data set on the GPU when it is small, else batches are moved one at a time."""
        if device.type == "cuda" and x.numel() * x.element_size() < 2 * 1024**3:
            return x.to(device)
        return x

    def _forward_all(self, module, X, device, *, embed: bool = False):
        import torch

        autocast, _ = self._autocast(device)
        step = max(int(self.batch_size), 512)
        outs = []
        module.eval()
        with torch.no_grad(), autocast:
            for start in range(0, len(X), step):
                xb = X[start:start + step].to(device, non_blocking=True)
                out = module.embed(xb) if embed else module(xb)
                outs.append(out.float())
        return torch.cat(outs)

    # ------------------------------------------------------------------ predict
    def _prepare_eval(self, X: Any):
        import torch

        check_is_fitted(self, "module_")
        X = self._check_X(X, fitted=True)
        return torch.from_numpy(X)

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities (softmax of the logits).

        Parameters
        ----------
        X : ndarray
            Input rows in the layout of :attr:`input_kind`.

        Returns
        -------
        proba : ndarray, shape (n_rows, n_classes)
            Columns in the order of ``classes_``.
        """
        import torch

        Xt = self._prepare_eval(X)
        logits = self._forward_all(self.module_, Xt, self.device_)
        return torch.softmax(logits, dim=1).cpu().numpy().astype(np.float64)

    def decision_function(self, X: Any) -> np.ndarray:
        """Logits, shape (n_rows, n_classes)."""
        Xt = self._prepare_eval(X)
        return self._forward_all(self.module_, Xt, self.device_).cpu().numpy()

    def embed(self, X: Any) -> np.ndarray:
        """Penultimate-layer features (e.g. for a Fréchet distance between real and generated data).

        Parameters
        ----------
        X : ndarray
            Input rows in the layout of :attr:`input_kind`.

        Returns
        -------
        features : ndarray, shape (n_rows, n_features)
            float32 activations feeding the final linear layer.
        """
        Xt = self._prepare_eval(X)
        return self._forward_all(self.module_, Xt, self.device_, embed=True).cpu().numpy()

    # ------------------------------------------------------------------ checkpoints
    def _get_state(self) -> dict[str, Any]:
        check_is_fitted(self, "module_")
        return {k: v.detach().cpu().clone() for k, v in self.module_.state_dict().items()}

    def _set_state(self, state: dict[str, Any], path: Path) -> None:
        import torch

        if not isinstance(state, dict) or not all(isinstance(v, torch.Tensor)
                                                  for v in state.values()):
            raise data_error(path, "checkpoint weights are not a dict of tensors",
                             expected=f"the state dict of a {self.name} network",
                             found=type(state).__name__)
        try:
            self._check_input_shape(self.input_shape_)
            module = self._build_module(self.input_shape_, len(self.classes_))
        except Exception as err:  # noqa: BLE001 - stored parameters that build no network
            raise data_error(path, f"stored parameters do not build a {self.name} network",
                             expected="parameters written by save()",
                             found=str(err).splitlines()[0][:120]) from None
        try:
            module.load_state_dict(state, strict=True)
        except RuntimeError as err:
            expected = set(module.state_dict())
            missing, unexpected = sorted(expected - set(state)), sorted(set(state) - expected)
            if missing or unexpected:
                found = (f"missing {len(missing)} keys ({', '.join(missing[:3])}), "
                         f"{len(unexpected)} unexpected ({', '.join(unexpected[:3])})")
            else:
                own = module.state_dict()
                bad = [k for k in own if tuple(own[k].shape) != tuple(state[k].shape)]
                found = (f"{len(bad)} tensors of other shapes, e.g. {bad[0]} "
                         f"{list(state[bad[0]].shape)} for {list(own[bad[0]].shape)}" if bad
                         else str(err).splitlines()[0][:120])
            raise data_error(path, f"weights do not fit the {self.name} architecture",
                             expected=f"the {len(expected)} tensors of its state dict",
                             found=found) from None
        try:
            device = self._device()
        except ConfigurationError as err:   # saved with device="cuda", loaded on a CPU machine
            import torch

            logger.warning("%s: %s; the checkpoint is loaded on the CPU", self.name,
                           str(err).split(": ", 1)[-1])
            self.device, device = "cpu", torch.device("cpu")
        try:
            module = module.to(device)
        except (RuntimeError, AssertionError) as err:  # e.g. saved on a GPU, loaded without one
            import torch

            logger.warning("%s: device %s unavailable (%s); using the CPU", self.name, device,
                           str(err).splitlines()[0][:80])
            device = torch.device("cpu")
        self.module_ = module.eval()
        self.device_ = device
