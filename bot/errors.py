"""Exception tree.

    BotError
    ├── ConfigError          a setting is wrong; start-up stops with one line naming it
    ├── ChannelError         an adapter could not read or deliver a message
    │   ├── BadRequest       the caller sent something we refuse (becomes a 4xx)
    │   └── DeliveryFailed   a platform refused an outbound message (carries its reason)
    ├── TemplateError        a template key or field is missing
    ├── StoreUnavailable     the store is down for now (bot/store/base.py; answered 503)
    └── ClaimLost            a deadline's text claimed too long ago to be still this attempt's (bot/outbox.py)

A `BotError`'s message is a reason we wrote: logs carry it (bot/logs.py), so it never holds a customer
value (text, openid, phone, order number, name, a lock's or store key's parts).

Flow control (a handler deciding what happens next) uses return values, not exceptions.
"""

from __future__ import annotations


class BotError(Exception):
    """Base of every error this project raises on purpose."""


class ConfigError(BotError):
    """A setting is missing or malformed."""


class ChannelError(BotError):
    """An adapter could not read or deliver a message."""


class BadRequest(ChannelError):
    """Input we refuse; `status` is the HTTP status to answer with."""

    def __init__(self, reason: str, status: int = 400) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status


class DeliveryFailed(ChannelError):
    """The platform refused an outbound message; `reason` is recorded on the message row."""

    def __init__(self, reason: str, *, retryable: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retryable = retryable


class TemplateError(BotError):
    """A template key does not exist or a placeholder has no value."""
