"""eegemo: emotion recognition from EEG, synthetic emotional EEG, and pictures a researcher trusts.

The package follows the data flow: :mod:`eegemo.datasets` (files → :class:`~eegemo.recording.Recording`)
→ :mod:`eegemo.preprocess` (windows, DE/PSD, grids) → :mod:`eegemo.store` (chunked arrays + Parquet
index) → :mod:`eegemo.models` / :mod:`eegemo.generative` → :mod:`eegemo.evaluation` → :mod:`eegemo.viz`.
"""

from __future__ import annotations

from ._logging import set_log_level
from .errors import ConfigurationError, DataFormatError, EegemoError

__version__ = "0.1.0"

__all__ = ["__version__", "set_log_level", "EegemoError", "DataFormatError", "ConfigurationError"]
