"""Pulling WeCom 微信客服 messages with `sync_msg`: one worker per kf account, from the stored cursor.

A callback only says "something is new for this kf account". `request` records that wish in the
store (`wecom:sync-wanted:<open_kfid>`, with the callback's token) and takes the account's lock;
the holder drains — pages from the cursor kept in the database (`models.wecom.KfCursor`, so a
restart or a lost store resumes where it stopped) until `has_more` is 0, storing `next_cursor`
after each page — and drains again while a wish arrived meanwhile, so a
callback that finds the lock taken can give up without losing anything. Each message is handled
once: its `msgid` is remembered (`wecom:msg:<msgid>`, kept as long as WeCom keeps messages) after
it was handled. A message whose handling fails stops the drain before the cursor moves, so the
next sync tries it again; after `MAX_ATTEMPTS` it is skipped and logged. A refused cursor (WeCom's
invalid-cursor code, or any refusal not about credentials or the account that repeats with the
same cursor) starts over from WeCom's oldest kept message, the remembered msgids keeping that
harmless: a page is never retried forever.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from bot.channels.wechat_api import WeChatAPIError
from bot.channels.wecom_api import (
    CURSOR_ERRORS,
    CURSOR_SUSPECT_AFTER,
    NOT_ABOUT_CURSOR,
    SYNC_TOKEN_ERRORS,
    WeComAPI,
)
from bot.channels.wecom_protocol import KfMessage, parse_item
from bot.clock import Clock
from bot.store.base import LockTimeout, Store
from models.wecom import KfCursor

log = logging.getLogger("csbot.wecom")

#: WeCom keeps messages for sync for 3 days; a msgid is remembered as long.
SEEN_TTL_S = 3 * 24 * 3600.0
MAX_ATTEMPTS = 3
NO_TOKEN = "-"


class KfSync:
    def __init__(
        self, api: WeComAPI, store: Store, clock: Clock, handle: Callable[[KfMessage], Awaitable[None]], *,
        limit: int, lock_s: float = 120.0, wait_s: float = 5.0,
    ) -> None:
        self.api = api
        self.store = store
        self.clock = clock
        self.handle = handle
        self.limit = limit
        self.lock_s = lock_s
        self.wait_s = wait_s

    @staticmethod
    async def cursor(open_kfid: str) -> str | None:
        stored = await KfCursor.get_or_none(open_kfid=open_kfid)
        return stored.cursor if stored is not None else None

    async def _keep_cursor(self, open_kfid: str, cursor: str | None) -> None:
        if cursor is None:
            await KfCursor.filter(open_kfid=open_kfid).delete()
        else:
            await KfCursor.update_or_create({"cursor": cursor, "updated_at": self.clock.now()}, open_kfid=open_kfid)

    async def request(self, open_kfid: str, token: str | None = None) -> bool:
        """Sync `open_kfid` now, or leave it to the worker already syncing it; False in that case."""
        wanted = self.store.keys("wecom", "sync-wanted", open_kfid)
        await self.store.set(wanted, token or NO_TOKEN, ttl=600)
        try:
            async with self.store.lock("wecom", "sync", open_kfid, timeout=self.lock_s,
                                       wait=self.wait_s):
                while (wish := await self.store.get(wanted)) is not None:
                    await self.store.delete(wanted)
                    await self._drain(open_kfid, None if wish == NO_TOKEN else wish)
        except LockTimeout:
            log.info("wecom sync of %s left to the worker holding it", open_kfid)
            return False
        return True

    async def _drain(self, open_kfid: str, token: str | None) -> None:
        cursor = await self.cursor(open_kfid)
        suspect_maybe_set = True  # by an earlier drain's refusals (any worker's), or this one's below
        while True:
            try:
                page = await self.api.sync_msg(open_kfid, cursor=cursor, token=token, limit=self.limit)
            except WeChatAPIError as exc:
                suspect_maybe_set = True
                if cursor and await self._cursor_refused(open_kfid, exc.errcode):
                    log.warning("wecom cursor of %s refused (%s): syncing from the oldest kept message",
                                open_kfid, exc.errcode)
                    cursor = None
                    await self._keep_cursor(open_kfid, None)
                    continue
                if exc.errcode in SYNC_TOKEN_ERRORS and token:
                    token = None
                    continue
                raise
            if suspect_maybe_set:  # a page went through: the refusals counted so far were not the cursor's
                await self.store.delete(self._suspect_key(open_kfid))
                suspect_maybe_set = False
            for item in page.get("msg_list") or ():
                message = parse_item(item, open_kfid)
                if message is None:
                    log.warning("wecom sync of %s: malformed item skipped", open_kfid)
                    continue
                await self._handle_once(message)
            next_cursor = page.get("next_cursor")
            if isinstance(next_cursor, str) and next_cursor:
                cursor = next_cursor
                await self._keep_cursor(open_kfid, cursor)
            if not page.get("has_more"):
                return

    def _suspect_key(self, open_kfid: str) -> str:
        return self.store.keys("wecom", "cursor-suspect", open_kfid)

    async def _cursor_refused(self, open_kfid: str, errcode: int | None) -> bool:
        """Whether this refusal of a sync with a cursor means the cursor is no good: WeCom's invalid
        cursor code at once, an unexplained refusal once it repeated `CURSOR_SUSPECT_AFTER` times."""
        if errcode in CURSOR_ERRORS:
            return True
        if errcode in NOT_ABOUT_CURSOR:
            return False
        refusals = await self.store.incr(self._suspect_key(open_kfid), ttl=SEEN_TTL_S)
        if refusals < CURSOR_SUSPECT_AFTER:
            return False
        await self.store.delete(self._suspect_key(open_kfid))
        return True

    async def _handle_once(self, message: KfMessage) -> None:
        seen = self.store.keys("wecom", "msg", message.msgid)
        if await self.store.get(seen):
            return
        try:
            await self.handle(message)
        except Exception:
            attempts = await self.store.incr(self.store.keys("wecom", "msg-attempts", message.msgid), ttl=SEEN_TTL_S)
            if attempts < MAX_ATTEMPTS:
                raise  # the cursor stays before this page: the next sync tries it again
            log.exception("wecom message %s skipped after %d failed attempts", message.msgid, attempts)
        await self.store.set(seen, "1", ttl=SEEN_TTL_S)
