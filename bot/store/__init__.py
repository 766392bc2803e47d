"""Shared short-lived state: dedupe, conversation state, locks, deadlines, pub/sub."""

from bot.store.base import KeyBuilder, Store

__all__ = ["KeyBuilder", "Store"]
