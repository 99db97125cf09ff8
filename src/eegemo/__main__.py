"""``python -m eegemo``: the same as the ``eegemo`` command."""
import sys

from .cli import main

sys.exit(main())
