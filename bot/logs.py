"""Logging for every process the server starts: timestamp, level, process id, logger name, and the
id of the message being handled (`-` outside one).

The message id travels in a context variable, so a line logged anywhere below a channel (the
dispatcher, a background send spawned from the request) names the message without the text.

Customer data never reaches a log line (docs/architecture.md, "What a log line may carry"). A failure is
logged by its type and where our code raised or met it; its message only when it is one of our own
reasons (a `BotError`, bot/errors.py): a driver's, a library's or the interpreter's message may quote
customer values (a unique violation's `Key (phone)=(...)`, a validation error's input, a missing key).
The record factory applies the same to tracebacks (`log.exception`), so no handler sees the raw ones;
`log_loop_failures` to what an event loop reports itself (a task's failure nobody retrieved, a failing
callback), whose default line quotes the exception's repr and the callback's arguments.

A request the HTTP parser refuses (a URL over 8 KB, a body whose Content-Encoding does not decode) is the
client's fault, answered 400/413 by aiohttp: `quiet_refused_requests` makes aiohttp's ERROR and traceback
for it one WARNING line naming the failure's type (not the client's address, not a header's value), so
anyone on the internet cannot fill the error log or page whoever watches it.
"""

from __future__ import annotations

import asyncio
import logging
import os
import traceback
from contextvars import ContextVar
from pathlib import Path
from types import TracebackType
from typing import Any

from aiohttp.http_exceptions import HttpProcessingError

from bot.errors import BotError

MESSAGE_ID: ContextVar[str] = ContextVar("message_id", default="-")
#: Channels whose message ids begin with the customer's own id: the web chat's `<visitor id>:<client part>`
#: (bot/channels/webchat.py, handlers/after_sales/uploads.py).
CUSTOMER_PREFIXED_IDS = frozenset({"webchat"})
FORMAT = "%(asctime)s %(levelname)s [%(process)d] %(name)s msg=%(message_id)s: %(message)s"
MAX_REASON_CHARS = 200
#: What a database error may name besides its message (asyncpg's `PostgresMessage` fields).
SCHEMA_FIELDS = ("table_name", "constraint_name")
#: Where our own code lives: the frames a failure is located by.
PROJECT_ROOT = Path(__file__).resolve().parent.parent
OUR_PACKAGES = tuple(str(PROJECT_ROOT / package) + os.sep for package in ("bot", "handlers", "models", "tests"))


def install_message_ids() -> None:
    """Give every log record created from now on a `message_id` attribute, and the traceback of a
    failure it carries as `safe_traceback` writes it (idempotent).

    A record factory rather than a handler filter, so every handler (pytest's capture too) sees it.
    """
    previous = logging.getLogRecordFactory()
    if getattr(previous, "adds_message_id", False):
        return

    def factory(*args: object, **kwargs: object) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        record.message_id = MESSAGE_ID.get()
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = safe_traceback(record.exc_info[1])
        return record

    factory.adds_message_id = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)


def message_log_id(channel: str, source_id: str) -> str:
    """The id a log line names a message by (`MESSAGE_ID`): the platform's id, except on a channel whose
    ids begin with the customer's own (`CUSTOMER_PREFIXED_IDS`), where only the client's part follows
    the channel's name (`webchat:<client_msg_id>`, `webchat:photo-<file>`), so no visitor id is logged."""
    _visitor, colon, client_part = source_id.partition(":")
    if colon and channel in CUSTOMER_PREFIXED_IDS:
        return f"{channel}:{client_part}"
    return source_id


def configure_logging(level: str = "INFO") -> None:
    """Set up the root logger once per process (the master and each spawned worker call it)."""
    install_message_ids()
    quiet_refused_requests()
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter(FORMAT))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper())
    logging.getLogger("jieba").setLevel(logging.WARNING)
    logging.getLogger("tortoise.db_client").setLevel(logging.INFO)  # its DEBUG lines carry the values


class RefusedRequestFilter(logging.Filter):
    """aiohttp's record of a request its parser refused, made a WARNING line without traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        failure = record.exc_info[1] if record.exc_info else None
        refused = _parser_refusal(failure) if failure is not None else None
        if refused is not None:
            level = min(record.levelno, logging.WARNING)  # aiohttp's DEBUG lines (a non-HTTP client) stay DEBUG
            record.levelno, record.levelname = level, logging.getLevelName(level)
            record.msg, record.args = "a request the HTTP parser refused: %s", (type(refused).__name__,)
            record.exc_info, record.exc_text = None, None
        return True


def quiet_refused_requests() -> None:
    """Install `RefusedRequestFilter` on aiohttp's server logger (idempotent)."""
    server = logging.getLogger("aiohttp.server")
    if not any(isinstance(existing, RefusedRequestFilter) for existing in server.filters):
        server.addFilter(RefusedRequestFilter())


def _parser_refusal(exc: BaseException) -> HttpProcessingError | None:
    """The HTTP parser's refusal in `exc`'s chain (the failure itself, or what it was raised from)."""
    current: BaseException | None = exc
    seen: set[int] = set()
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, HttpProcessingError):
            return current
        current = current.__cause__ or current.__context__
    return None


def log_loop_failures(loop: asyncio.AbstractEventLoop) -> None:
    """Have `loop` log a failure nobody awaited by `describe_failure` and the task's name: asyncio's own
    handler writes `exception=KeyError('<a phone>')` or `callback('<an openid>')` into the line."""
    loop.set_exception_handler(_log_loop_failure)


def _log_loop_failure(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    failure = context.get("exception")
    if failure is None:  # a task destroyed while pending, a transport left open: no value in the line
        loop.default_exception_handler(context)
        return
    future = context.get("future")
    source = f"task {future.get_name()}" if isinstance(future, asyncio.Task) else "a future or callback"
    logging.getLogger("asyncio").error("unhandled failure in %s: %s", source, describe_failure(failure),
                                       exc_info=failure)


def describe_failure(exc: BaseException) -> str:
    """A failure for a log line: its type, our own reason if it is one, the table and constraint a
    database error names, and where our code met it."""
    text = type(exc).__name__
    if isinstance(exc, BotError) and str(exc):
        reason = str(exc)
        text += ": " + (reason if len(reason) <= MAX_REASON_CHARS else reason[: MAX_REASON_CHARS - 1] + "…")
    schema = _schema_names(exc)
    if schema:
        text += f" [{schema}]"
    place = _our_innermost_frame(exc.__traceback__)
    return f"{text} (at {place})" if place else text


def safe_traceback(exc: BaseException) -> str:
    """The traceback `logging` would print, each exception of the chain named by `describe_failure`
    instead of its message (frames show code, not values)."""
    chain: list[tuple[BaseException, str]] = []
    seen: set[int] = set()
    current: BaseException | None = exc
    joint = ""
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        chain.append((current, joint))
        if current.__cause__ is not None:
            current, joint = current.__cause__, "The above exception was the direct cause of the following exception:"
        elif current.__context__ is not None and not current.__suppress_context__:
            current, joint = current.__context__, "During handling of the above exception, another exception occurred:"
        else:
            current = None
    parts: list[str] = []
    for failure, joint_to_next in reversed(chain):
        frames = "".join(traceback.format_tb(failure.__traceback__))
        parts.append(f"Traceback (most recent call last):\n{frames}{describe_failure(failure)}")
        if joint_to_next:
            parts.append(f"\n{joint_to_next}\n")
    return "\n".join(parts)


def _schema_names(exc: BaseException) -> str:
    """`table t, constraint c` of the first error in `exc`'s chain that names them (asyncpg's errors of
    PostgreSQL: names from the schema, never values; a wrapper such as tortoise's `IntegrityError`
    carries the driver's error as its cause or context), '' when none does."""
    current: BaseException | None = exc
    seen: set[int] = set()
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        names = [f"{field.removesuffix('_name')} {value}" for field in SCHEMA_FIELDS
                 if isinstance(value := getattr(current, field, None), str) and value]
        if names:
            return ", ".join(names)
        current = current.__cause__ or current.__context__
    return ""


def _our_innermost_frame(tb: TracebackType | None) -> str:
    """`path:line in function` of the deepest frame of ours in `tb`, '' when none is."""
    place = ""
    while tb is not None:
        code = tb.tb_frame.f_code
        if code.co_filename.startswith(OUR_PACKAGES):
            relative = Path(code.co_filename).relative_to(PROJECT_ROOT)
            place = f"{relative}:{tb.tb_lineno} in {code.co_name}"
        tb = tb.tb_next
    return place
