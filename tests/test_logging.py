"""The package logger: messages reach the stderr in force when they are logged."""

import io
import sys

from eegemo._logging import logger, set_log_level


def test_messages_follow_a_replaced_stderr(monkeypatch):
    set_log_level("info")
    try:
        for _ in range(2):  # a second stream, as after a notebook or test capture swaps stderr
            buf = io.StringIO()
            monkeypatch.setattr(sys, "stderr", buf)
            logger.info("hello %d", 42)
            assert "INFO eegemo: hello 42" in buf.getvalue()
        set_log_level("info")  # idempotent: still one handler
        assert sum(getattr(h, "_eegemo", False) for h in logger.handlers) == 1
    finally:
        set_log_level(None)


def test_warnings_reach_a_python_user_who_configured_nothing():
    """Without set_log_level or any logging configuration, a warning still reaches stderr (a
    NullHandler used to swallow them all); info messages do not."""
    import subprocess

    code = ("import numpy as np\n"
            "from eegemo.models import get_model\n"
            "from eegemo._logging import logger\n"
            "logger.info('an info line')\n"
            "X = np.random.default_rng(0).normal(size=(12, 4, 5))\n"
            "get_model('logreg').fit(X, np.array([0, 1, 2] * 4)[:, None])\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "logreg: y of shape (12, 1) read as 1-D" in out.stderr
    assert "an info line" not in out.stderr
