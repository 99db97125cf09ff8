"""``python -m eegemo``: the same as the ``eegemo`` command."""

from __future__ import annotations

import sys

from .cli import main

sys.exit(main())
