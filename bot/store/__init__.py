"""Shared short-lived state: dedupe, conversation state, locks, deadlines, pub/sub."""

from bot.store.base import KeyBuilder, Store, StoreBusy, StoreUnavailable

__all__ = ["KeyBuilder", "Store", "StoreBusy", "StoreUnavailable"]
