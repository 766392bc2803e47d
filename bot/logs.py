"""Logging for every process the server starts: timestamp, level, process id, logger name, and the
id of the message being handled (`-` outside one).

The message id travels in a context variable, so a line logged anywhere below a channel (the
dispatcher, a background send spawned from the request) names the message without the text. Customer
text is never put in a log line; `describe_failure` gives an exception's type and message, cut short.
"""

from __future__ import annotations

import logging
from contextvars import ContextVar

MESSAGE_ID: ContextVar[str] = ContextVar("message_id", default="-")
FORMAT = "%(asctime)s %(levelname)s [%(process)d] %(name)s msg=%(message_id)s: %(message)s"
MAX_REASON_CHARS = 200


def install_message_ids() -> None:
    """Give every log record created from now on a `message_id` attribute (idempotent).

    A record factory rather than a handler filter, so every handler (pytest's capture too) sees it.
    """
    previous = logging.getLogRecordFactory()
    if getattr(previous, "adds_message_id", False):
        return

    def factory(*args: object, **kwargs: object) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        record.message_id = MESSAGE_ID.get()
        return record

    factory.adds_message_id = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)


def configure_logging(level: str = "INFO") -> None:
    """Set up the root logger once per process (the master and each spawned worker call it)."""
    install_message_ids()
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter(FORMAT))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper())
    logging.getLogger("jieba").setLevel(logging.WARNING)


def describe_failure(exc: BaseException) -> str:
    """`Type: message` of a failure, at most MAX_REASON_CHARS long, for a log line."""
    text = f"{type(exc).__name__}: {exc}"
    return text if len(text) <= MAX_REASON_CHARS else text[: MAX_REASON_CHARS - 1] + "…"
