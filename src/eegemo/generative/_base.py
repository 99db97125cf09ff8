"""The shared machinery of eegemo's conditional generators.

A generator subclass builds its networks (:meth:`BaseGenerator._build`) and runs one epoch of training
(:meth:`BaseGenerator._train_epoch`) and one batch of sampling (:meth:`BaseGenerator._generate`) on
*scaled* data. Everything else lives here: input checks, the per-feature scaling (fitted in ``fit``,
inverted in ``sample``), label / subject conditioning, seeding, device choice, the progress bar with
losses, ``history_`` and weights-only checkpoints.

Checkpoints are a :func:`torch.save` of one dict of tensors and primitives only
(``{"format": "eegemo-generator", "format_version": 1, "model": ..., "params": ..., "state": ...}``),
read back with ``torch.load(weights_only=True)``; anything else is refused with one-line
:class:`~eegemo.errors.DataFormatError`.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from .._logging import logger, progress_disabled
from .._torchload import load_weights_only
from ..errors import ConfigurationError, data_error, unknown_parameters

__all__ = ["BaseGenerator", "FORMAT", "FORMAT_VERSION", "read_generator_checkpoint"]

FORMAT = "eegemo-generator"
FORMAT_VERSION = 1


def _encode(value: Any, what: str) -> Any:
    from ..models._checkpoint import encode

    return encode(value, what)


def _decode(value: Any) -> Any:
    from ..models._checkpoint import decode

    return decode(value)


def read_generator_checkpoint(path: str | os.PathLike) -> dict[str, Any]:
    """Read a generator checkpoint written by :meth:`BaseGenerator.save`.

    Parameters
    ----------
    path : path-like
        The ``.pt`` file.

    Returns
    -------
    payload : dict
        The stored dict (tensors still tensors).

    Raises
    ------
    DataFormatError
        Missing, unreadable, not weights-only, or not an eegemo generator checkpoint.
    """
    path = Path(path)
    if not path.is_file():
        raise data_error(path, "no such generator checkpoint", expected="a file written by "
                         "Generator.save", found="nothing")
    payload = load_weights_only(path, "eegemo generator checkpoint",
                                "a file written by Generator.save (tensors and primitives)")
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        found = payload.get("format") if isinstance(payload, dict) else type(payload).__name__
        raise data_error(path, "not an eegemo generator checkpoint",
                         expected=f"format {FORMAT!r}", found=repr(found))
    if payload.get("format_version") != FORMAT_VERSION:
        raise data_error(path, "unsupported generator checkpoint version",
                         expected=str(FORMAT_VERSION), found=repr(payload.get("format_version")))
    for key in ("model", "params", "state", "classes", "input_shape", "mean", "std"):
        if key not in payload:
            raise data_error(path, f"generator checkpoint lacks {key!r}",
                             expected="a file written by Generator.save", found="no such entry")
    return payload


def _filter(Z: np.ndarray, gain: np.ndarray) -> np.ndarray:
    """Multiply the spectrum of every window (last axis) by ``gain``; same length, float64."""
    F = np.fft.rfft(Z, axis=-1, norm="ortho") * gain
    return np.fft.irfft(F, n=Z.shape[-1], axis=-1, norm="ortho")


#: Below this root-mean-square amplitude (whitened units, where trained output is about 1) a
#: network's output in a (channel, frequency) bin is too weak to be re-coloured without amplifying
#: noise: calibration stops there and says so.
_WEAK_OUTPUT = 1e-2


def _rms_spectrum(Z: np.ndarray) -> np.ndarray:
    """Root-mean-square amplitude spectrum over the rows of ``Z`` (per channel and frequency)."""
    return np.sqrt((np.abs(np.fft.rfft(Z, axis=-1, norm="ortho")) ** 2).mean(axis=0))


class BaseGenerator:
    """Base class of the conditional generators (see :func:`eegemo.generative.get_generator`).

    Subclasses set ``name``, ``input_ndim`` (rank of one row: 1, 2 or 3; None for any),
    ``scale_axes`` (axes of one row pooled for the scaling statistics, e.g. ``(1,)`` for per-channel
    scaling of raw windows) and implement ``_build``, ``_train_epoch``, ``_generate``.

    Attributes
    ----------
    classes_ : ndarray
        The sorted label values seen in ``fit``.
    subjects_ : list of str
        The subjects seen in ``fit`` (empty when not conditioned on subject).
    input_shape_ : tuple of int
        Shape of one row.
    mean_, std_ : ndarray
        Scaling statistics (broadcastable to one row); rows are scaled as ``(x - mean_) / std_``.
    const_mask_ : ndarray of bool
        Elements constant in the training data (e.g. empty cells of the 9 × 9 grid); samples get the
        training value there.
    history_ : list of dict
        One entry per epoch: ``epoch``, the model's losses, ``moment_gap`` (mean absolute difference of
        per-element mean and std between a generated batch and a real batch, in scaled units; 0 for a
        perfect match of first and second moments) and ``seconds``.
    fit_seconds_ : float
        Wall time of ``fit``.
    """

    name: ClassVar[str] = ""
    input_ndim: ClassVar[int | None] = None
    scale_axes: ClassVar[tuple[int, ...]] = ()
    CITATION: ClassVar[str] = ""

    # ------------------------------------------------------------------ parameters
    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """Constructor parameters (scikit-learn style, so :func:`sklearn.base.clone` works).

        Parameters
        ----------
        deep : bool
            Accepted for scikit-learn's API; generators hold no nested estimators.
        """
        import inspect

        sig = inspect.signature(type(self).__init__)
        return {k: getattr(self, k) for k in sig.parameters if k != "self"}

    def set_params(self, **params) -> BaseGenerator:
        """Set constructor parameters; returns self."""
        err = unknown_parameters(self.name, params, self.get_params())
        if err:
            raise err
        for key, value in params.items():
            setattr(self, key, value)
        return self

    def __repr__(self) -> str:
        params = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
        return f"{type(self).__name__}({params})"

    def _check_positive_ints(self, *keys: str) -> None:
        """Refuse parameters ``keys`` that are not positive ints (a bool is not one)."""
        for key in keys:
            value = getattr(self, key)
            if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 1:
                raise ConfigurationError(f"{self.name}: {key} must be a positive int, found {value!r}")

    def _check_common(self) -> None:
        self._check_positive_ints("epochs", "batch_size")
        if not (isinstance(self.lr, (int, float)) and self.lr > 0):
            raise ConfigurationError(f"{self.name}: lr must be > 0, found {self.lr!r}")
        if self.n_threads is not None and (not isinstance(self.n_threads, (int, np.integer))
                                           or self.n_threads < 1):
            raise ConfigurationError(f"{self.name}: n_threads must be None or a positive int, found "
                                     f"{self.n_threads!r}")

    # ------------------------------------------------------------------ device / seeding
    def _torch_device(self):
        from .._device import resolve_device

        return resolve_device(self.device, self.name)

    def _seed(self) -> int:
        rs = self.random_state
        if rs is None:
            return int(np.random.SeedSequence().generate_state(1)[0])
        if isinstance(rs, np.random.RandomState):
            return int(rs.randint(0, 2**31 - 1))
        if isinstance(rs, (int, np.integer)) and not isinstance(rs, bool):
            return int(rs)
        raise ConfigurationError(f"{self.name}: random_state must be None, an int or a RandomState, "
                                 f"found {rs!r}")

    @contextlib.contextmanager
    def _threads(self):
        import torch

        old = torch.get_num_threads()
        try:
            if self.n_threads is not None:
                torch.set_num_threads(int(self.n_threads))
            yield
        finally:
            torch.set_num_threads(old)

    # ------------------------------------------------------------------ input checks
    def _check_X(self, X: Any, what: str = "X") -> np.ndarray:
        try:
            X = np.asarray(X, dtype=np.float32)
        except (TypeError, ValueError) as err:
            raise ConfigurationError(f"{self.name}: {what} must be a numeric array ({err})") from None
        if self.input_ndim is not None and X.ndim != self.input_ndim + 1:
            raise ConfigurationError(f"{self.name}: {what} must have {self.input_ndim + 1} dimensions "
                                     f"(n_rows, {self._layout()}), found shape {X.shape}")
        if X.ndim < 2 or X.shape[0] < 2:
            raise ConfigurationError(f"{self.name}: {what} needs at least 2 rows of shape "
                                     f"(n_rows, ...), found shape {X.shape}")
        if not np.all(np.isfinite(X)):
            raise ConfigurationError(f"{self.name}: {what} holds NaN or infinite values")
        return X

    def _layout(self) -> str:
        return {1: "n_features", 2: "n_channels, n_samples", 3: "n_bands, 9, 9"}.get(
            self.input_ndim or 0, "...")

    def _check_is_fitted(self) -> None:
        if not hasattr(self, "classes_"):
            raise ConfigurationError(f"{self.name}: this generator is not fitted yet: call fit(X, y) "
                                     f"or load a checkpoint")

    def _class_index(self, emotion: Any) -> int:
        """Map an int label or a label name to the position in ``classes_``."""
        self._check_is_fitted()
        names = {str(v).lower(): int(k) for k, v in (self.label_names or {}).items()}
        label = emotion
        if isinstance(emotion, str):
            key = emotion.strip().lower()
            if key in names:
                label = names[key]
            else:
                try:
                    label = int(key)
                except ValueError:
                    allowed = [str(v) for v in (self.label_names or {}).values()] or \
                        [str(c) for c in self.classes_]
                    raise ConfigurationError(f"{self.name}: unknown emotion {emotion!r}: allowed "
                                             f"values are {', '.join(allowed)}") from None
        hits = np.flatnonzero(self.classes_ == label) if isinstance(label, (int, np.integer)) else []
        if len(hits) != 1:
            allowed = [f"{c} ({(self.label_names or {}).get(int(c), '')})".replace(" ()", "")
                       for c in self.classes_]
            raise ConfigurationError(f"{self.name}: unknown emotion {emotion!r}: allowed values are "
                                     f"{', '.join(allowed)}")
        return int(hits[0])

    def _subject_index(self, subject: Any) -> int | None:
        if subject is None:
            return None
        if not self.subjects_:
            raise ConfigurationError(f"{self.name}: subject={subject!r} given, but the generator was "
                                     f"not fitted with subjects")
        key = str(subject)
        if key not in self.subjects_:
            raise ConfigurationError(f"{self.name}: unknown subject {subject!r}: allowed values are "
                                     f"{', '.join(self.subjects_)}")
        return self.subjects_.index(key)

    # ------------------------------------------------------------------ scaling
    def _whitens(self) -> bool:
        return bool(getattr(self, "whiten", False)) and self.input_ndim == 2

    def _fit_scaling(self, X: np.ndarray) -> None:
        axes = (0,) + tuple(a + 1 for a in self.scale_axes)
        mean = X.mean(axis=axes, keepdims=True, dtype=np.float64)[0]
        std = X.std(axis=axes, keepdims=True, dtype=np.float64)[0]
        const = ~(std > 1e-8 * (1.0 + np.abs(mean)))
        std[const] = 1.0
        self.mean_ = mean.astype(np.float32)
        self.std_ = std.astype(np.float32)
        self.const_mask_ = np.broadcast_to(const, X.shape[1:]).copy()
        self.spectrum_ = None
        if self._whitens():
            # Root-mean-square amplitude spectrum per channel and frequency over the training
            # windows. Scaling divides each window's spectrum by it (spectral whitening), so every
            # frequency weighs the same in the generator's loss; sampling multiplies it back. Without
            # it, EEG's 1/f spectrum leaves the weak high frequencies to the generator's noise floor.
            power = np.zeros((X.shape[1], X.shape[2] // 2 + 1))
            for start in range(0, len(X), 256):
                F = np.fft.rfft(X[start:start + 256] - mean, axis=-1, norm="ortho")
                power += (np.abs(F) ** 2).sum(axis=0)
            amp = np.sqrt(power / len(X))
            floor = 1e-6 * float(amp.max() or 1.0)
            self.spectrum_ = np.maximum(amp, floor).astype(np.float32)
            self.std_ = np.ones_like(self.std_)

    def _scale(self, X: np.ndarray) -> np.ndarray:
        if getattr(self, "spectrum_", None) is not None:
            return _filter(X - self.mean_, 1.0 / self.spectrum_).astype(np.float32)
        return ((X - self.mean_) / self.std_).astype(np.float32)

    def _unscale(self, Z: np.ndarray) -> np.ndarray:
        if getattr(self, "spectrum_", None) is not None:
            Z = _filter(Z, self.spectrum_)
        out = Z * self.std_ + self.mean_
        if self.const_mask_.any():
            fill = np.broadcast_to(self.mean_, out.shape[1:])
            out[:, self.const_mask_] = fill[self.const_mask_]
        if getattr(self, "log_scale", False):
            # back from log powers; 80 keeps exp inside float32 for a wild sample
            out = np.exp(np.minimum(out, 80.0))
        return out.astype(np.float32)

    def _to_log(self, X: np.ndarray) -> np.ndarray:
        """``log(X)`` for ``log_scale=True``, or a one-line error where a row is not positive."""
        low = float(X.min())
        if not low > 0:
            raise ConfigurationError(f"{self.name}: log_scale=True needs positive rows (band "
                                     f"powers), found a minimum of {low:g}; use log_scale=False "
                                     f"for rows that can be zero or negative (psd grids and images "
                                     f"hold zeros in their empty cells)")
        return np.log(X, dtype=np.float64).astype(np.float32)

    # ------------------------------------------------------------------ fit
    def fit(self, X: Any, y: Any, subjects: Sequence | None = None) -> BaseGenerator:
        """Train the generator on real rows.

        Parameters
        ----------
        X : ndarray, shape (n_rows, ...)
            Real rows in the generator's layout (see the class docstring).
        y : array_like of int, shape (n_rows,)
            Emotion labels.
        subjects : array_like of str | None, shape (n_rows,)
            Subject of each row: conditions the generator on subject too (needs
            ``condition_subject=True``); None conditions on emotion only.

        Returns
        -------
        self : BaseGenerator
        """
        import torch
        from tqdm.auto import tqdm

        self._check_common()
        X = self._check_X(X)
        y = np.asarray(y)
        if y.ndim != 1 or len(y) != len(X):
            raise ConfigurationError(f"{self.name}: y must be 1-D with one label per row of X "
                                     f"(expected {len(X)}, found shape {y.shape})")
        if y.dtype.kind not in "iu":
            if y.dtype.kind == "f" and np.all(y == np.round(y)):
                y = y.astype(np.int64)
            else:
                raise ConfigurationError(f"{self.name}: y must hold integer labels, found dtype "
                                         f"{y.dtype}")
        self.classes_, y_idx = np.unique(y, return_inverse=True)
        if subjects is not None and self.condition_subject:
            subjects = np.asarray(subjects).astype(str)
            if subjects.shape != y.shape:
                raise ConfigurationError(f"{self.name}: subjects must have one entry per row "
                                         f"(expected {len(y)}, found shape {subjects.shape})")
            self.subjects_ = [str(s) for s in np.unique(subjects)]
            s_idx = np.searchsorted(np.asarray(self.subjects_), subjects)
        else:
            if subjects is not None:
                logger.info("%s: subjects ignored (condition_subject=False)", self.name)
            self.subjects_, s_idx = [], np.zeros(len(y), dtype=np.int64)
        self.input_shape_ = tuple(int(s) for s in X.shape[1:])
        if getattr(self, "log_scale", False):
            X = self._to_log(X)
        self._fit_scaling(X)
        Z = self._scale(X)
        self.cond_mean_ = self.cond_spectrum_ = None
        if getattr(self, "condition_mean", False):
            # The networks learn the deviations from the training mean of each emotion (and
            # subject); sampling adds that mean back, so the first moment of every condition is
            # the data's, not something the adversarial game has to find.
            self.cond_mean_ = self._per_condition(Z, y_idx, s_idx, lambda R: R.mean(axis=0))
            Z = (Z - self.cond_mean_[y_idx, s_idx]).astype(np.float32)
        if getattr(self, "condition_spectrum", False) and self._whitens():
            # After the global whitening, each emotion (and subject) keeps its own spectrum per
            # channel: divide it out too, and multiply it back when sampling, so every condition's
            # mean power per channel and frequency is the data's (the networks learn the rest).
            spec = self._per_condition(Z, y_idx, s_idx, _rms_spectrum)
            self.cond_spectrum_ = np.maximum(spec, 1e-3).astype(np.float32)
            Z = _filter(Z, 1.0 / self.cond_spectrum_[y_idx, s_idx]).astype(np.float32)
        device = self._torch_device()
        self.device_ = device
        seed = self._seed()
        self.history_ = []
        t0 = time.perf_counter()
        devices = [device.index or 0] if device.type == "cuda" else []
        with self._threads(), torch.random.fork_rng(devices=devices):
            torch.manual_seed(seed)
            rng = np.random.default_rng(seed)
            self._build(self.input_shape_, len(self.classes_), len(self.subjects_), device)
            Zt = torch.from_numpy(Z).to(device)
            yt = torch.from_numpy(y_idx.astype(np.int64)).to(device)
            st = torch.from_numpy(np.asarray(s_idx, dtype=np.int64)).to(device)
            bar = tqdm(range(1, self.epochs + 1), desc=f"{self.name}", unit="epoch",
                       disable=progress_disabled() or not self.verbose, leave=False)
            for epoch in bar:
                te = time.perf_counter()
                self._set_train(True)
                losses = self._train_epoch(Zt, yt, st, rng)
                self._set_train(False)
                entry = {"epoch": epoch, **{k: float(v) for k, v in losses.items()}}
                entry["moment_gap"] = self._moment_gap(Zt, yt, st, rng)
                entry["seconds"] = time.perf_counter() - te
                self.history_.append(entry)
                bar.set_postfix({k: f"{v:.3g}" for k, v in entry.items()
                                 if k not in ("epoch", "seconds")})
                logger.debug("%s epoch %d: %s", self.name, epoch, entry)
            self._calibrate_conditions(device, int(rng.integers(2**31 - 1)))
            self._sample_seed_ = int(rng.integers(2**31 - 1))
        self.fit_seconds_ = time.perf_counter() - t0
        logger.info("%s: trained %d epochs on %d rows in %.1f s", self.name, self.epochs, len(X),
                    self.fit_seconds_)
        return self

    def _per_condition(self, Z: np.ndarray, y_idx: np.ndarray, s_idx: np.ndarray, stat) -> np.ndarray:
        """``stat`` of the rows of each (class, subject), shape (n_classes, n_subjects or 1, ...).

        A class without rows of a subject falls back to all the rows of that class.
        """
        n_s = max(1, len(self.subjects_))
        out = [[stat(Z[rows if (rows := (y_idx == c) & (s_idx == s)).any() else y_idx == c])
                for s in range(n_s)] for c in range(len(self.classes_))]
        return np.asarray(out, dtype=np.float32)

    def _calibrate_conditions(self, device, seed: int, n: int = 256) -> None:
        """Make the condition means / spectra hold for the trained networks' own output.

        The networks' output carries a residual bias per condition (a mean offset for
        ``condition_mean``, a spectral tilt for ``condition_spectrum``). It is measured on ``n``
        samples per condition and taken out of the stored means / spectra, so that samples have the
        training data's mean (mean power spectrum) per condition by construction.
        """
        import torch

        cm, cs = getattr(self, "cond_mean_", None), getattr(self, "cond_spectrum_", None)
        if cm is None and cs is None:
            return
        from tqdm.auto import tqdm

        gen = torch.Generator(device=device).manual_seed(seed)
        self._set_train(False)
        weak, bins = 0, 0
        conditions = [(c, s) for c in range(len(self.classes_))
                      for s in range(max(1, len(self.subjects_)))]
        # as costly as sampling n rows per condition (a diffusion model's many steps): say so
        bar = tqdm(conditions, desc=f"{self.name} calibration", unit="condition",
                   disable=progress_disabled() or not self.verbose, leave=False)
        with torch.no_grad():
            for c, s in bar:
                yt = torch.full((n,), c, dtype=torch.int64, device=device)
                st = torch.full((n,), s, dtype=torch.int64, device=device)
                Z = self._generate(yt, st, gen).float().cpu().numpy().reshape(
                    (n,) + self.input_shape_)
                if cm is not None:
                    cm[c, s] -= Z.mean(axis=0)
                if cs is not None:
                    rms = _rms_spectrum(Z)
                    weak += int((rms < _WEAK_OUTPUT).sum())
                    bins += rms.size
                    cs[c, s] = cs[c, s] / np.maximum(rms, _WEAK_OUTPUT)
        if bins and weak / bins > 0.01:
            logger.warning("%s: the networks' output is near zero in %.0f%% of the (channel, "
                           "frequency) bins (under-trained? train longer): the condition spectra "
                           "are restored only partly there, so samples are weaker than the data at "
                           "those frequencies", self.name, 100 * weak / bins)

    def _moment_gap(self, Zt, yt, st, rng, n: int = 128) -> float:
        import torch

        n = min(n, len(Zt))
        pick = torch.from_numpy(rng.choice(len(Zt), n, replace=False)).to(Zt.device)
        with torch.no_grad():
            fake = self._monitor_generate(yt[pick], st[pick], torch.Generator(
                device=Zt.device).manual_seed(int(rng.integers(2**31 - 1))))
        real = Zt[pick]
        gap = (fake.mean(0) - real.mean(0)).abs().mean() + (fake.std(0) - real.std(0)).abs().mean()
        return float(gap.cpu())

    def _set_train(self, mode: bool) -> None:
        for module in self._modules().values():
            module.train(mode)

    # ------------------------------------------------------------------ sample
    def sample(self, n: int, emotion: Any, random_state: int | None = None, *,
               subject: Any = None, batch_size: int = 512) -> np.ndarray:
        """Draw synthetic rows of one emotion.

        Parameters
        ----------
        n : int
            Number of rows.
        emotion : int | str
            A label value of ``classes_`` or, when ``label_names`` was given, its name
            (case-insensitive), e.g. ``"positive"``.
        random_state : int | None
            Seed of the draw; None continues from the seed stored at the end of ``fit``. The noise
            depends on the seed and the condition: one seed gives each emotion (and subject) its
            own draw, and the same seed, emotion and subject the same samples.
        subject : str | None
            Subject to condition on (generators fitted with subjects only). None for a generator
            fitted with subjects: each row's subject is drawn at random (uniformly) over the
            training subjects, a mix, not the first subject.
        batch_size : int
            Rows generated per forward pass.

        Returns
        -------
        X : ndarray of float32, shape (n, *input_shape_)
            In the units of the training data (the scaling is inverted).
        """
        import torch

        cls = self._class_index(emotion)
        s = self._subject_index(subject)
        if not isinstance(n, (int, np.integer)) or isinstance(n, bool) or n < 0:
            raise ConfigurationError(f"{self.name}: n must be a non-negative int, found {n!r}")
        device = getattr(self, "device_", None) or self._torch_device()
        if random_state is None:
            random_state = self._next_seed()
        # the noise is drawn from the seed *and* the condition: one seed for two emotions must not
        # give them the same latent noise (window-by-window paired copies across classes)
        seed = int(np.random.SeedSequence(
            [int(random_state) % 2**32, cls, 0 if s is None else s + 1]).generate_state(1)[0])
        gen = torch.Generator(device=device).manual_seed(seed)
        if s is None and self.subjects_:   # a mix over the training subjects
            s_rows = np.random.default_rng(seed).integers(len(self.subjects_), size=int(n))
        else:
            s_rows = np.full(int(n), s or 0, dtype=np.int64)
        out = []
        self._set_train(False)
        from tqdm.auto import tqdm

        starts = range(0, int(n), batch_size)
        bar = tqdm(starts, desc=f"{self.name} sampling", unit="batch", leave=False,
                   disable=progress_disabled() or not self.verbose or len(starts) < 2)
        with torch.no_grad(), self._threads():
            for start in bar:
                m = min(batch_size, int(n) - start)
                yt = torch.full((m,), cls, dtype=torch.int64, device=device)
                st = torch.from_numpy(s_rows[start:start + m].astype(np.int64)).to(device)
                out.append(self._generate(yt, st, gen).float().cpu().numpy())
        Z = np.concatenate(out) if out else np.zeros((0,) + self.input_shape_, np.float32)
        Z = Z.reshape((len(Z),) + self.input_shape_)
        if getattr(self, "cond_mean_", None) is not None:
            Z = Z + self.cond_mean_[cls, s_rows]
        if getattr(self, "cond_spectrum_", None) is not None:
            spec = self.cond_spectrum_
            for u in np.unique(s_rows):
                rows = s_rows == u
                Z[rows] = _filter(Z[rows], spec[cls, u]).astype(np.float32)
        return self._unscale(Z)

    def sample_like(self, y: Any, random_state: int | None = None, *,
                    subjects: Sequence | None = None) -> np.ndarray:
        """Synthetic rows with the labels (and subjects) of ``y``, in the same order.

        Parameters
        ----------
        y : array_like of int, shape (n,)
            Labels wanted.
        random_state : int | None
            Seed of the draw; None continues from the seed stored at the end of ``fit``.
        subjects : array_like of str | None
            Subjects wanted (generators fitted with subjects only).

        Returns
        -------
        X : ndarray of float32, shape (n, *input_shape_)
        """
        y = np.asarray(y)
        if subjects is not None and len(subjects) != len(y):
            raise ConfigurationError(f"{self.name}: subjects must have one entry per label of y "
                                     f"(expected {len(y)}, found {len(subjects)})")
        out = np.empty((len(y),) + self.input_shape_, dtype=np.float32)
        keys = [(int(a), None if subjects is None else str(b))
                for a, b in zip(y, subjects if subjects is not None else [None] * len(y),
                                strict=True)]
        rs = np.random.default_rng(self._next_seed() if random_state is None else random_state)
        for key in sorted(set(keys), key=str):
            rows = np.array([i for i, k in enumerate(keys) if k == key])
            out[rows] = self.sample(len(rows), key[0], random_state=int(rs.integers(2**31 - 1)),
                                    subject=key[1])
        return out

    def _next_seed(self) -> int:
        """The seed stored at the end of ``fit`` (saved in the checkpoint), then the next one: draws
        without a random_state continue reproducibly, also after save/load."""
        seed = int(self._sample_seed_)
        self._sample_seed_ = (seed * 1103515245 + 12345) % (2**31 - 1)
        return seed

    # ------------------------------------------------------------------ checkpoints
    def _modules(self) -> dict[str, Any]:
        """``{name: nn.Module}`` of the networks to save (subclasses override)."""
        raise NotImplementedError

    def save(self, path: str | os.PathLike) -> Path:
        """Write a weights-only checkpoint (tensors and primitives only), atomically.

        Parameters
        ----------
        path : path-like
            Destination ``.pt`` file.

        Returns
        -------
        path : Path
        """
        import torch

        from .. import __version__
        from ..models._checkpoint import params_for_checkpoint

        self._check_is_fitted()
        payload = {
            "format": FORMAT, "format_version": FORMAT_VERSION, "eegemo_version": __version__,
            "torch_version": str(torch.__version__), "model": self.name,
            "params": params_for_checkpoint({k: v for k, v in self.get_params().items()
                                             if k != "label_names"}),
            "label_names": {str(k): str(v) for k, v in (self.label_names or {}).items()},
            "classes": _encode(np.asarray(self.classes_), "classes"),
            "subjects": list(self.subjects_),
            "input_shape": list(self.input_shape_),
            "mean": _encode(self.mean_, "mean"), "std": _encode(self.std_, "std"),
            "spectrum": (None if getattr(self, "spectrum_", None) is None
                         else _encode(self.spectrum_, "spectrum")),
            "const_mask": _encode(self.const_mask_.astype(np.uint8), "const_mask"),
            "cond_mean": (None if getattr(self, "cond_mean_", None) is None
                          else _encode(self.cond_mean_, "cond_mean")),
            "cond_spectrum": (None if getattr(self, "cond_spectrum_", None) is None
                              else _encode(self.cond_spectrum_, "cond_spectrum")),
            "history": _encode(self.history_, "history"),
            "fit_seconds": float(getattr(self, "fit_seconds_", 0.0)),
            "sample_seed": int(self._sample_seed_),
            "state": {k: {n: t.detach().cpu() for n, t in m.state_dict().items()}
                      for k, m in self._modules().items()},
        }
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        torch.save(payload, tmp)
        os.replace(tmp, path)
        logger.info("saved %s generator to %s", self.name, path)
        return path

    @classmethod
    def _from_payload(cls, payload: dict[str, Any], path: Path, device: str | None = None):
        from ..models._checkpoint import params_from_checkpoint

        params = params_from_checkpoint(payload["params"])
        params["label_names"] = {int(k): v for k, v in payload.get("label_names", {}).items()} or None
        if device is not None:
            params["device"] = device
        try:
            gen = cls(**params)
        except TypeError as err:
            raise data_error(path, "generator checkpoint parameters do not match this eegemo",
                             expected=f"parameters of {cls.__name__}", found=str(err)) from None
        gen.classes_ = _decode(payload["classes"])
        gen.subjects_ = list(payload.get("subjects", []))
        gen.input_shape_ = tuple(int(s) for s in payload["input_shape"])
        gen.mean_ = _decode(payload["mean"]).astype(np.float32)
        gen.std_ = _decode(payload["std"]).astype(np.float32)
        spectrum = payload.get("spectrum")
        gen.spectrum_ = None if spectrum is None else _decode(spectrum).astype(np.float32)
        if gen._whitens() != (gen.spectrum_ is not None):
            raise data_error(path, "generator checkpoint whitening does not match its parameters",
                             expected=f"whiten={gen._whitens()}",
                             found=f"spectrum {'present' if gen.spectrum_ is not None else 'absent'}")
        gen.const_mask_ = _decode(payload["const_mask"]).astype(bool)
        for param, key, what in (("condition_mean", "cond_mean", "condition means"),
                                 ("condition_spectrum", "cond_spectrum", "condition spectra")):
            value = payload.get(key)
            setattr(gen, key + "_", None if value is None else _decode(value).astype(np.float32))
            if param not in payload["params"] and hasattr(gen, param):
                setattr(gen, param, False)  # a checkpoint written before the parameter existed
            wanted = bool(getattr(gen, param, False)) and (param == "condition_mean"
                                                           or gen._whitens())
            if wanted != (getattr(gen, key + "_") is not None):
                raise data_error(path, f"generator checkpoint {what} do not match its parameters",
                                 expected=f"{param}={getattr(gen, param, False)}",
                                 found=f"{what} {'absent' if wanted else 'present'}")
        gen.history_ = _decode(payload.get("history", []))
        gen.fit_seconds_ = float(payload.get("fit_seconds", 0.0))
        gen._sample_seed_ = int(payload.get("sample_seed", 0))
        dev = gen._torch_device()
        gen.device_ = dev
        gen._build(gen.input_shape_, len(gen.classes_), len(gen.subjects_), dev)
        modules = gen._modules()
        state = payload["state"]
        if not isinstance(state, dict) or set(state) != set(modules):
            raise data_error(path, "generator checkpoint networks do not match",
                             expected=", ".join(sorted(modules)),
                             found=", ".join(sorted(state)) if isinstance(state, dict) else "none")
        for key, module in modules.items():
            try:
                module.load_state_dict(state[key])
            except (RuntimeError, KeyError, TypeError) as err:
                first = str(err).strip().splitlines()[0]
                raise data_error(path, f"generator checkpoint weights of {key!r} do not fit",
                                 expected=f"{cls.__name__} weights", found=first[:160]) from None
        gen._set_train(False)
        return gen

    @classmethod
    def load(cls, path: str | os.PathLike, *, device: str | None = None) -> BaseGenerator:
        """Read a checkpoint written by :meth:`save` (weights only; never unpickles code).

        Parameters
        ----------
        path : path-like
            The ``.pt`` file.
        device : str | None
            Override the stored ``device`` parameter (e.g. ``"cpu"``).

        Returns
        -------
        generator : BaseGenerator
            Of the class named in the checkpoint (when called on :class:`BaseGenerator`) or ``cls``.
        """
        from . import generator_class

        path = Path(path)
        payload = read_generator_checkpoint(path)
        target = cls
        if cls is BaseGenerator or cls.name != payload["model"]:
            if cls is not BaseGenerator:
                raise data_error(path, "checkpoint holds another generator",
                                 expected=cls.name, found=str(payload["model"]))
            try:
                target = generator_class(str(payload["model"]))
            except ConfigurationError:
                raise data_error(path, "unknown generator in checkpoint",
                                 expected="dense-gan, wgan-4d, wgan-raw or ddpm",
                                 found=str(payload["model"])) from None
        return target._from_payload(payload, path, device)

    # ------------------------------------------------------------------ subclass hooks
    def _build(self, input_shape: tuple[int, ...], n_classes: int, n_subjects: int, device) -> None:
        raise NotImplementedError

    def _train_epoch(self, Z, y, s, rng: np.random.Generator) -> Mapping[str, float]:
        raise NotImplementedError

    def _monitor_generate(self, y, s, gen):
        """Samples for the per-epoch ``moment_gap`` (subclasses may use a cheaper sampler)."""
        return self._generate(y, s, gen)

    def _generate(self, y, s, gen):
        """Scaled samples (tensor of shape (len(y), *input_shape_)) for class / subject indices."""
        raise NotImplementedError

    @staticmethod
    def _batches(n: int, batch_size: int, rng: np.random.Generator):
        perm = rng.permutation(n)
        nb = max(1, n // batch_size) if n >= batch_size else 1
        for i in range(nb):
            yield perm[i * batch_size:(i + 1) * batch_size]
