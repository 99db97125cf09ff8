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
