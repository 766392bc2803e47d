"""The WeChat Official Account webhook: `GET /wechat` (URL verification) and `POST /wechat` (messages).

One POST, end to end (ARCHITECTURE §2):

1. Check `signature`, the timestamp window (both modes) and, in safe mode, `msg_signature`; read the
   body (aiohttp refuses more than 1 MiB with 413), refuse entity declarations, decrypt, parse: any
   failure is a 4xx before anything is written (`wechat_protocol`). A signed query string is good for
   one body only (`wechat_nonces`): a replay with another body or openid is refused.
2. Claim the delivery (`wechat_dedupe`), with the nonce and the customer's send-budget window in the
   same store command: a retry of a message already handled, or being handled, gets the same passive
   reply (or `success`) and never reaches the dispatcher a second time. A first delivery (no earlier
   claim remembered) spares the dispatcher its database check for an earlier answer. A text that shows
   nothing (empty, blank, only zero-width or format characters: `bot.text_input.visible`, the web chat's
   rule; WeChat sends an empty one for some stickers) is answered `success` before that and goes no
   further: not stored, not an unclear message, no 留言, no prompt (docs/webchat.md); only the send
   window it opens on WeChat's side is noted.
3. Race the dispatcher against `wechat_passive_budget_s` on the injected clock. In time: the first
   text is the passive reply (recorded as sent, and stored for retries with the release of the
   conversation's lock) and the rest go through the customer-service API in order. Late: keep the
   message in the durable inbox (`wechat_inbox`), answer `success` and send everything through the
   API once it is ready. The inbox entry is done when every part was handed
   to WeChat; if anything fails first (a worker death, a lock timeout, an outage), any worker's retry
   loop finishes it later through the dispatcher, which handles a message only once and otherwise
   returns the recorded parts still pending, so nothing is answered twice.

Background sends are tasks the channel keeps and awaits on `stop()`. Customer text never reaches
the log: only openids, message ids and types do.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

import aiohttp
from aiohttp import web
from wechatpy.crypto import WeChatCrypto

from bot.background import BackgroundTasks
from bot.channels import wechat_protocol as protocol
from bot.channels.base import Channel
from bot.channels.wechat_api import WeChatAPI, WeChatAPIError
from bot.channels.wechat_dedupe import Answered, Deliveries, GuardRefused, Lease
from bot.channels.wechat_inbox import Inbox, from_payload
from bot.channels.wechat_nonces import REUSED, Nonces
from bot.clock import Clock
from bot.config import Settings
from bot.errors import BadRequest, ConfigError, DeliveryFailed
from bot.events import Inbound, Outcome
from bot.logs import MESSAGE_ID
from bot.outages import outages
from bot.send_budget import SendBudget
from bot.store.base import HoldRequest, Write
from bot.text_input import visible
from models.inbox import InboxEntry

if TYPE_CHECKING:
    from bot.runtime import Runtime

log = logging.getLogger("csbot.wechat")

PATH = "/wechat"
#: How long `stop()` lets background sends finish before cancelling them.
STOP_GRACE_S = 10.0


def whole_body(request: web.Request) -> bytes | None:
    """The request's body when all of it came with the headers (every WeChat call: a few hundred bytes)
    and is within the app's limit, taken from the stream at once; None otherwise (`request.read()` then
    reads it, waits for the rest, refuses more than the limit). `request.read()` itself loops over the
    stream's chunks into a buffer and copies it, a few microseconds of every message."""
    content = request.content
    if content.is_eof() and content.exception() is None and content.total_bytes <= request.client_max_size:
        return content.read_nowait()
    return None


class WeChatChannel(Channel):
    name = "wechat"
    max_bytes = 2000

    def __init__(self, settings: Settings, *, http: aiohttp.ClientSession | None = None) -> None:
        if not settings.wechat_token:
            raise ConfigError("invalid setting WECHAT_TOKEN: required for the WeChat channel")
        if settings.wechat_aes_key and not settings.wechat_appid:
            raise ConfigError("invalid setting WECHAT_APPID: safe mode (WECHAT_AES_KEY) needs the appid")
        self.settings = settings
        self.token = settings.wechat_token
        self.crypto = (WeChatCrypto(settings.wechat_token, settings.wechat_aes_key, settings.wechat_appid or "")
                       if settings.wechat_aes_key else None)
        self._http = http
        self.runtime: Runtime | None = None
        self.api: WeChatAPI | None = None
        self.deliveries: Deliveries | None = None
        self.nonces: Nonces | None = None
        self.inbox: Inbox | None = None
        self.budget: SendBudget | None = None
        self._background = BackgroundTasks(log, lambda: self.runtime and self.runtime.store)
        self._retrier: asyncio.Task[None] | None = None

    @property
    def safe_mode(self) -> bool:
        return self.crypto is not None

    def routes(self) -> list[web.AbstractRouteDef]:
        return [web.get(PATH, self.verify), web.post(PATH, self.receive)]

    async def start(self, runtime: Runtime) -> None:
        self.runtime = runtime
        settings = self.settings
        self.api = WeChatAPI(
            appid=settings.wechat_appid or "", appsecret=settings.wechat_appsecret or "",
            base_url=settings.wechat_api_base, timeout_s=settings.wechat_http_timeout_s,
            store=runtime.store, clock=runtime.clock, session=self._http,
        )
        self.deliveries = Deliveries(runtime.store, runtime.clock, ttl=settings.dedupe_ttl_s)
        self.nonces = Nonces(runtime.store)
        self.inbox = Inbox(runtime.clock, lease_s=settings.wechat_inbox_lease_s)
        self._retrier = asyncio.create_task(self._retry_forever(), name="wechat-inbox-retry")
        self.budget = SendBudget(runtime.store, runtime.clock, self.name)

    async def stop(self) -> None:
        if self._retrier is not None:
            self._retrier.cancel()
            await asyncio.gather(self._retrier, return_exceptions=True)
            self._retrier = None
        await self._background.stop(STOP_GRACE_S)
        if self.deliveries is not None:
            await self.deliveries.close()
        if self.api is not None:
            await self.api.close()

    async def settle(self) -> None:
        """Wait until the background work started so far (late answers, tails of long ones, delivery
        marks) is done."""
        await self._background.settle()
        await self._runtime.recorder.settle()

    @property
    def _inbox(self) -> Inbox:
        assert self.inbox is not None, "channel used before start()"
        return self.inbox

    @property
    def _nonces(self) -> Nonces:
        assert self.nonces is not None, "channel used before start()"
        return self.nonces

    @property
    def _runtime(self) -> Runtime:
        assert self.runtime is not None and self.deliveries is not None, "channel used before start()"
        return self.runtime

    # --- HTTP ---
    async def verify(self, request: web.Request) -> web.Response:
        """WeChat's URL check: echo `echostr` when the signature is ours."""
        try:
            self._check_query(request.query)
        except BadRequest as exc:
            return web.Response(status=exc.status, text=exc.reason)
        return web.Response(text=request.query.get("echostr", ""))

    async def receive(self, request: web.Request) -> web.Response:
        runtime = self._runtime
        clock = runtime.clock
        query = request.query  # a property over the URL's parsed query: read once
        try:
            self._check_query(query)
            body = whole_body(request)
            if body is None:
                body = await request.read()
            message = self._read(body, query)
            MESSAGE_ID.set(message.source_id)  # on every log line of this request and its background work
            nonce = self._nonces.claim(query, body, message.from_user)
        except BadRequest as exc:
            log.info("wechat request refused (%d): %s", exc.status, exc.reason)
            return web.Response(status=exc.status, text=exc.reason)
        kind = message.kind
        if kind == "event" and message.event in protocol.PLATFORM_REPORTS:
            return web.Response(text=protocol.SUCCESS, content_type="text/plain")
        started = clock.monotonic()
        budget = self.settings.wechat_passive_budget_s
        assert self.deliveries is not None and self.budget is not None
        window = self.budget.window_after(message.from_user, message.event if kind == "event" else None)
        inbound = protocol.to_inbound(message, clock.now())
        if inbound.kind == "text" and not visible(inbound.text):  # the web chat's rule (bot/text_input.py)
            log.info("wechat text %s shows nothing: acknowledged, not handled", message.source_id)
            await self.budget.customer_action(message.from_user)  # WeChat counts it: its 48 h start over
            return web.Response(text=protocol.SUCCESS, content_type="text/plain")
        hold = runtime.dispatcher.hold_request(inbound)
        try:
            then = () if window is None else (window,)
            entry = await self.deliveries.enter(message.dedupe_ids(), budget, nonce, then,
                                                self._sent_at(message, query, clock), hold=hold)
        except GuardRefused:
            log.info("wechat request refused (403): %s", REUSED)
            return web.Response(status=403, text=REUSED)
        if isinstance(entry, Answered):
            log.debug("wechat retry of %s answered from the first delivery", message.source_id)
            text = entry.text
        else:
            try:
                text = await self._handle(entry, message, inbound, hold, budget - (clock.monotonic() - started))
            except outages(runtime.store):
                raise  # a service is down for now, not a fault of ours: a 503 (bot/web/guards.py), WeChat retries
            except Exception:
                log.exception("wechat %s %s failed", kind, message.source_id)
                return web.Response(status=500, text="internal error")
        body = protocol.render_reply(message, text, int(clock.time()), self.crypto, query.get("nonce", ""))
        if body == protocol.SUCCESS:
            return web.Response(text=body, content_type="text/plain")
        return web.Response(text=body, content_type="application/xml")

    @staticmethod
    def _sent_at(message: protocol.WeChatMessage, query: Any, clock: Clock) -> float:
        """When WeChat first sent this message, on our clock: its `CreateTime` moved by how far our
        clock is from WeChat's as this request's signed `timestamp` shows (checked fresh, a number)."""
        return int(message.create_time) + (clock.time() - int(query["timestamp"]))

    def _check_query(self, query: Any) -> None:
        timestamp = query.get("timestamp")
        if not protocol.signature_ok(self.token, query.get("signature"), timestamp, query.get("nonce")):
            raise BadRequest("bad or missing signature", 403)
        if not protocol.timestamp_fresh(timestamp, self._runtime.clock.time()):
            raise BadRequest("timestamp outside the accepted window", 403)

    def _read(self, body: bytes, query: Any) -> protocol.WeChatMessage:
        xml = protocol.decode_body(body)
        if self.crypto is not None:
            msg_signature = query.get("msg_signature")
            if not msg_signature or query.get("encrypt_type", "aes") != "aes":
                raise BadRequest("safe mode needs encrypt_type=aes and msg_signature", 403)
            xml = protocol.decrypt(self.crypto, xml, msg_signature, query["timestamp"], query["nonce"])
        return protocol.parse(xml)

    # --- handling ---
    async def _handle(self, lease: Lease, message: protocol.WeChatMessage, inbound: Inbound, hold: HoldRequest,
                      budget: float) -> str | None:
        """Run the dispatcher against the budget; returns the passive reply text (None: `success`)."""
        runtime = self._runtime
        log.debug("wechat %s %s", inbound.kind, message.source_id)
        work = self._background.spawn(self._dispatch(lease, inbound, hold))
        decided = work.get_loop().create_future()  # the work done or the budget spent, first

        def decide(_: object = None) -> None:
            if not decided.done():
                decided.set_result(None)

        work.add_done_callback(decide)
        alarm = runtime.clock.call_later(max(budget, 0.0), decide)  # no task sleeping per message
        try:
            await decided
        except asyncio.CancelledError:  # our request went away: the outcome still has to reach the customer
            if not lease.answer_written:  # (written: a retry gets it from the store, as after `finish`)
                lease.late = True
                self._background.spawn(self._deliver_late(work, lease, inbound, None))
            raise
        finally:
            alarm.cancel()
        if not work.done() and not lease.answer_written:
            lease.late = True
            log.info("wechat %s: answer late, kept in the inbox and sent via the kf API", message.source_id)
            try:
                entry_id = await self._inbox.keep(self.name, lease.key, inbound)
            except BaseException:  # not kept: no `success`, so WeChat retries; the work still finishes
                self._background.spawn(self._deliver_late(work, lease, inbound, None))
                raise
            lease.kept = True
            self._background.spawn(self._deliver_late(work, lease, inbound, entry_id))
            return None
        outcome: Outcome = await work  # done, or writing its answer with the conversation's release
        passive = outcome.texts[0] if outcome.texts else None
        assert self.deliveries is not None
        if not lease.answer_written:
            await self.deliveries.finish(lease, passive)
        if passive is not None:  # recorded with the next batch: the reply does not wait for an UPDATE
            runtime.recorder.note_sent(outcome.message_ids[:1])
        if len(outcome.texts) > 1:  # the rest of a long answer goes through the kf API, in order, owed till sent
            tail, tail_ids = outcome.texts[1:], outcome.message_ids[1:]
            try:
                entry_id = await self._inbox.keep(self.name, lease.key, inbound)
            except Exception as exc:  # the database is down: send the tail anyway, without a retry behind it
                log.warning("wechat %s: answer tail not kept (%s)", message.source_id, type(exc).__name__)
                self._background.spawn(runtime.outbox.send(self.name, inbound.user_id, tail, source_ids=tail_ids))
            else:
                self._background.spawn(self._send_owed(entry_id, inbound.user_id, tail, tail_ids))
        return passive

    async def _dispatch(self, lease: Lease, inbound: Inbound, hold: HoldRequest) -> Outcome:
        assert self.deliveries is not None
        try:
            taken, lease.taken = lease.taken, None  # held (and released) by the dispatcher from here
            outcome = await self._runtime.dispatcher.handle(
                inbound, self.max_bytes, first_delivery=lease.first_time,
                on_answer=lambda texts: self._answer_with_release(lease, texts), taken=taken, hold=hold,
            )
        except BaseException as exc:
            log.warning("wechat %s dispatch failed: %s", inbound.source_id, type(exc).__name__)
            if lease.kept:  # the inbox retries it; WeChat, answered `success`, would not
                await asyncio.shield(self.deliveries.finish(lease, None))
            else:
                await asyncio.shield(self.deliveries.abandon(lease))  # the next retry handles it again
            raise
        if lease.answer_written:
            self.deliveries.finished(lease)
        return outcome

    async def _answer_with_release(self, lease: Lease, texts: list[str]) -> list[Write]:
        """The passive answer, written with the conversation's release (one store command for both)
        while the request still waits for it; once late, the answer goes the kf API's way instead."""
        if lease.late:
            return []
        lease.answer_written = True  # from here the request waits for the answer (see `_handle`)
        assert self.deliveries is not None
        return [await self.deliveries.answer_write(lease, texts[0] if texts else None)]

    async def _deliver_late(self, work: asyncio.Task[Outcome], lease: Lease, inbound: Inbound,
                            entry_id: int | None) -> None:
        try:
            outcome = await work
        except Exception as exc:
            if entry_id is not None:
                await self._inbox.release(entry_id, exc)
            return
        assert self.deliveries is not None
        await self.deliveries.finish(lease, None)
        if entry_id is None:
            if outcome.texts:
                await self._runtime.outbox.send(self.name, inbound.user_id, outcome.texts,
                                                source_ids=outcome.message_ids)
            return
        await self._send_owed(entry_id, inbound.user_id, outcome.texts, outcome.message_ids)

    async def _send_owed(self, entry_id: int, user_id: str, texts: list[str], source_ids: list[str]) -> None:
        """Hand the parts to WeChat and mark the inbox entry done. A failure on the way leaves the entry
        claimed until its lease runs out, then the retry loop sends the parts still pending."""
        if texts:
            await self._runtime.outbox.send(self.name, user_id, texts, source_ids=source_ids)
        await self._inbox.done(entry_id)

    # --- owed messages (the durable inbox) ---
    async def _retry_forever(self) -> None:
        """Every `wechat_inbox_retry_s`, finish the inbox entries whose worker gave up or died."""
        while True:
            await self._runtime.clock.sleep(self.settings.wechat_inbox_retry_s)
            try:
                await self.retry_owed()
            except Exception as exc:  # the database is down: the next round tries again
                log.warning("wechat inbox round failed: %s", type(exc).__name__)

    async def retry_owed(self) -> None:
        inbox = self._inbox
        for entry in await inbox.claim_due(self.name):
            try:
                await self.redeliver(entry)
            except Exception as exc:
                await inbox.release(entry.id, exc)
        await inbox.purge()

    async def redeliver(self, entry: InboxEntry) -> None:
        """Finish one owed message through the dispatcher: it handles the message if it never was, and
        otherwise returns only the recorded parts not sent yet (`Dispatcher._still_owed`)."""
        inbound = from_payload(entry.payload)
        outcome = await self._runtime.dispatcher.handle(inbound, self.max_bytes)
        log.info("wechat %s: owed answer finished from the inbox (%d parts)", inbound.source_id, len(outcome.texts))
        await self._send_owed(entry.id, inbound.user_id, outcome.texts, outcome.message_ids)

    # --- later messages ---
    async def sends_left(self, user_id: str) -> int | None:
        assert self.budget is not None, "channel used before start()"
        return await self.budget.left(user_id)

    async def push(self, user_id: str, text: str, *, source_id: str | None = None) -> None:
        """A customer-service text; refusals (48 h window, send cap, token, network) raise DeliveryFailed.
        The send budget is spent first: a push WeChat would refuse with 45047 is not tried."""
        assert self.api is not None and self.budget is not None, "channel used before start()"
        if not await self.budget.spend(user_id):
            raise DeliveryFailed("over_send_cap")
        try:
            await self.api.send_text(user_id, text)
        except WeChatAPIError as exc:
            raise DeliveryFailed(exc.reason) from exc
