"""The field's baselines: linear SVM and logistic regression on differential-entropy features.

Both take ``input_kind="features"``: rows of shape (n_channels, n_bands) (or already flat
(n_features,)), flattened inside, standardised by a :class:`~sklearn.preprocessing.StandardScaler`
fitted on the training rows, then classified. ``X_val``/``y_val`` are accepted for a uniform API and
ignored (these models need no early stopping).

Checkpoints store the fitted arrays of the scaler and classifier as tensors (no pickle); loading
rebuilds the scikit-learn objects and sets those attributes back, so a checkpoint is tied to the
scikit-learn version that wrote it (a different version is logged as a warning).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

import numpy as np
from scipy.sparse import issparse
from sklearn.utils.validation import check_is_fitted

from .._logging import logger
from ..errors import ConfigurationError, data_error
from . import _checkpoint as ckpt
from ._base import BaseModel

__all__ = ["SVMClassifier", "LogRegClassifier"]

_ZHENG_LU = ("Zheng W.-L., Lu B.-L. (2015). Investigating critical frequency bands and channels for "
             "EEG-based emotion recognition with deep neural networks. IEEE Transactions on "
             "Autonomous Mental Development 7(3):162-175. doi:10.1109/TAMD.2015.2431497")
_DUAN = ("Duan R.-N., Zhu J.-Y., Lu B.-L. (2013). Differential entropy feature for EEG-based "
         "emotion classification. 6th International IEEE/EMBS Conference on Neural Engineering, "
         "81-84. doi:10.1109/NER.2013.6695876")


_SKLEARN_ATTRIBUTES_DOC = """
    Attributes
    ----------
    classes_ : ndarray
        The labels seen in ``fit``, in the order of ``predict_proba``'s columns.
    input_shape_ : tuple of int
        Shape of one input row seen in ``fit`` (``(n_channels, n_bands)`` or ``(n_features,)``).
    n_features_in_ : int
        Features per row once flattened (scikit-learn's attribute).
    pipeline_ : sklearn.pipeline.Pipeline
        The fitted ``StandardScaler`` + classifier.
    n_iter_ : int
        Iterations of the solver (the most over its binary sub-problems).
"""


class _SklearnModel(BaseModel):
    """A StandardScaler + classifier pipeline on flattened feature rows."""

    input_kind: ClassVar[str] = "features"

    def _make_classifier(self):
        raise NotImplementedError

    def _check_X(self, X: Any, *, fitted: bool, what: str = "X") -> np.ndarray:
        if X is None or issparse(X):   # refused by the common checks, by name
            return super()._check_X(X, fitted=fitted, what=what)
        arr = np.asarray(X)
        if arr.ndim == 2:  # already flat features
            arr = arr[:, :, None]
        return super()._check_X(arr, fitted=fitted, what=what)

    def fit(self, X: Any, y: Any, X_val: Any = None, y_val: Any = None) -> _SklearnModel:
        """Fit scaler and classifier.

        Parameters
        ----------
        X : ndarray, shape (n_windows, n_channels, n_bands) or (n_windows, n_features)
            Feature rows.
        y : array_like, shape (n_windows,)
            Labels.
        X_val, y_val : ignored
            Accepted for the common API.

        Returns
        -------
        self
        """
        from sklearn.pipeline import Pipeline
        from sklearn.preprocessing import StandardScaler

        X = self._check_X(X, fitted=False)
        y = self._check_y(y, len(X))
        y_idx = self._set_classes(y)
        self.input_shape_ = tuple(int(s) for s in X.shape[1:])
        self.n_features_in_ = int(np.prod(self.input_shape_))
        self.pipeline_ = Pipeline([("scale", StandardScaler()), ("clf", self._make_classifier())])
        try:
            self.pipeline_.fit(X.reshape(len(X), -1), y_idx)
        except (ValueError, TypeError) as exc:
            # scikit-learn checks its parameters when fitting (InvalidParameterError): one line
            if type(exc).__name__ != "InvalidParameterError":
                raise
            del self.pipeline_
            raise ConfigurationError(f"{self.name}: {str(exc).splitlines()[0]}") from None
        self.history_: list[dict[str, Any]] = []
        self._set_n_iter()
        return self

    def _set_n_iter(self) -> None:
        # the solver's iterations (the most over its sub-problems), as scikit-learn reports them
        n_iter = getattr(self.pipeline_.named_steps["clf"], "n_iter_", None)
        if n_iter is not None:
            self.n_iter_ = int(np.max(n_iter))

    def decision_function(self, X: Any) -> np.ndarray:
        """Classifier scores, shape (n_rows, n_classes) (binary: (n_rows,), positive class)."""
        check_is_fitted(self, "pipeline_")
        X = self._check_X(X, fitted=True)
        return self.pipeline_.decision_function(X.reshape(len(X), -1))

    def _get_state(self) -> dict[str, Any]:
        import sklearn

        check_is_fitted(self, "pipeline_")
        state: dict[str, Any] = {"sklearn_version": sklearn.__version__}
        for step_name, step in self.pipeline_.steps:
            params = step.get_params(deep=False)
            fitted = {k: v for k, v in vars(step).items() if k not in params}
            state[step_name] = ckpt.encode(fitted, f"{self.name} {step_name}")
        return state

    def _set_state(self, state: dict[str, Any], path: Path) -> None:
        import sklearn
        from sklearn.pipeline import Pipeline
        from sklearn.preprocessing import StandardScaler

        if not isinstance(state, dict) or not {"scale", "clf"} <= set(state):
            raise data_error(path, f"checkpoint state does not fit the {self.name} model",
                             expected="fitted 'scale' and 'clf' attributes",
                             found=", ".join(sorted(map(str, state))) if isinstance(state, dict)
                             else type(state).__name__)
        version = state.get("sklearn_version")
        if version != sklearn.__version__:
            logger.warning("%s: checkpoint %s was written with scikit-learn %s, this is %s",
                           self.name, path, version, sklearn.__version__)
        pipeline = Pipeline([("scale", StandardScaler()), ("clf", self._make_classifier())])
        for step_name, step in pipeline.steps:
            for key, value in ckpt.decode(state[step_name]).items():
                setattr(step, key, value)
        self.pipeline_ = pipeline
        self.n_features_in_ = int(np.prod(self.input_shape_))
        self._set_n_iter()
        try:  # a state of the wrong shapes or kind fails here rather than at the user's predict
            probe = np.zeros((2, *self.input_shape_), dtype=np.float32)
            self.predict_proba(probe)
        except Exception as err:  # noqa: BLE001
            del self.pipeline_
            raise data_error(path, f"checkpoint state does not fit the {self.name} model",
                             expected=f"a fitted {self.name} on rows {self.input_shape_}",
                             found=f"{type(err).__name__}: "
                                   f"{(str(err).splitlines() or [''])[0][:100]}") from None


def _softmax(scores: np.ndarray) -> np.ndarray:
    scores = scores - scores.max(axis=1, keepdims=True)
    e = np.exp(scores)
    return e / e.sum(axis=1, keepdims=True)


class SVMClassifier(_SklearnModel):
    __doc__ = f"""Support-vector machine on flattened DE features (linear kernel by default).

    Parameters
    ----------
    C : float
        Regularisation (inverse strength).
    kernel : {"linear", "rbf", "poly", "sigmoid"}
        SVC kernel; the SEED papers use a linear one.
    gamma : str | float
        Kernel coefficient for non-linear kernels.
    max_iter : int
        libsvm iteration limit (-1 none).
    random_state : int | None
        Kept for the common API (libsvm's SVC fit is deterministic).
    {_SKLEARN_ATTRIBUTES_DOC}
    Notes
    -----
    :meth:`predict_proba` is the softmax of the one-vs-rest decision values (pairwise votes plus
    a confidence in (-1/3, 1/3), scikit-learn's ``decision_function_shape="ovr"``): a monotone map of
    the scores, not calibrated probabilities (scikit-learn 1.9 deprecates libsvm's Platt scaling).
    :meth:`predict` is their argmax, i.e. the majority of pairwise votes with ties broken by the summed
    confidences (libsvm itself breaks ties by class order, so a tied row may differ from
    ``SVC.predict``).

    Baseline of Zheng & Lu (2015) and Duan et al. (2013): DE features of 5 bands × 62 channels.
    """

    name: ClassVar[str] = "svm"
    DESCRIPTION: ClassVar[str] = "linear SVM on flattened DE features (StandardScaler + SVC)"
    CITATION: ClassVar[str] = _ZHENG_LU + "\n" + _DUAN

    def __init__(self, C: float = 1.0, kernel: str = "linear", gamma: str | float = "scale",
                 max_iter: int = -1, random_state: int | None = None) -> None:
        self.C = C
        self.kernel = kernel
        self.gamma = gamma
        self.max_iter = max_iter
        self.random_state = random_state

    def _make_classifier(self):
        from sklearn.svm import SVC

        kernels = ("linear", "rbf", "poly", "sigmoid")
        if self.kernel not in kernels:
            raise ConfigurationError(f"svm: kernel must be one of {', '.join(kernels)}, found "
                                     f"{self.kernel!r}")
        return SVC(C=self.C, kernel=self.kernel, gamma=self.gamma, max_iter=self.max_iter,
                   random_state=self.random_state, decision_function_shape="ovr")

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class scores in [0, 1] summing to 1, columns in the order of ``classes_``.

        The softmax of the one-vs-rest decision values (see Notes): not calibrated probabilities.

        Parameters
        ----------
        X : ndarray, shape (n_rows, n_channels, n_bands) or (n_rows, n_features)
            Feature rows of the shape seen in ``fit``.

        Returns
        -------
        proba : ndarray, shape (n_rows, n_classes)
            float64 scores, columns in the order of ``classes_``.
        """
        check_is_fitted(self, "pipeline_")
        X = self._check_X(X, fitted=True)
        scores = self.pipeline_.decision_function(X.reshape(len(X), -1))
        if scores.ndim == 1:  # binary: score of the second class
            scores = np.stack([-scores / 2, scores / 2], axis=1)
        return _softmax(scores.astype(np.float64))


class LogRegClassifier(_SklearnModel):
    __doc__ = f"""Multinomial logistic regression on flattened DE features.

    Parameters
    ----------
    C : float
        Inverse L2 regularisation strength.
    max_iter : int
        Solver iteration limit.
    random_state : int | None
        Unused by the default lbfgs solver; kept for the common API.
    {_SKLEARN_ATTRIBUTES_DOC}"""

    name: ClassVar[str] = "logreg"
    DESCRIPTION: ClassVar[str] = "logistic regression on flattened DE features"
    CITATION: ClassVar[str] = _ZHENG_LU + "\n" + _DUAN

    def __init__(self, C: float = 1.0, max_iter: int = 1000,
                 random_state: int | None = None) -> None:
        self.C = C
        self.max_iter = max_iter
        self.random_state = random_state

    def _make_classifier(self):
        from sklearn.linear_model import LogisticRegression

        return LogisticRegression(C=self.C, max_iter=self.max_iter,
                                  random_state=self.random_state)

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities, shape (n_rows, n_classes), columns in the order of ``classes_``.

        Parameters
        ----------
        X : ndarray, shape (n_rows, n_channels, n_bands) or (n_rows, n_features)
            Feature rows of the shape seen in ``fit``.

        Returns
        -------
        proba : ndarray, shape (n_rows, n_classes)
            float64 probabilities, each row summing to 1, columns in the order of ``classes_``.
        """
        check_is_fitted(self, "pipeline_")
        X = self._check_X(X, fitted=True)
        return self.pipeline_.predict_proba(X.reshape(len(X), -1)).astype(np.float64)
