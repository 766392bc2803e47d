"""The WeCom 微信客服 (kf) channel: customers who tap 联系客服 in a mini-program, a 视频号 shop, a web
page or a QR code and chat in WeChat (docs/wecom.md).

- `GET <path>` answers WeCom's URL check; `POST <path>` takes the encrypted `kf_msg_or_event`
  notice, answers `success` at once and syncs in the background (`wecom_sync.KfSync`): callbacks
  carry no message. A periodic sync per kf account (the scheduler's `wecom-sync` deadline) catches
  what a lost callback would have announced.
- A synced text that shows nothing (empty, blank, zero-width: the web chat's and WeChat's rule,
  `bot.text_input.visible`) is passed over: not stored, not answered, not an unclear message (only
  the send window it opens on WeCom's side is noted).
- Each synced customer message goes through the dispatcher like any other channel's; the answer
  goes out with `send_msg` (there is no passive reply), in order per customer, through the outbox
  and the per-customer send budget (5 messages within 48 h of each customer message).
- `enter_session` with a `welcome_code`: the welcome goes out with `send_msg_on_event`, which allows
  one message within 20 s of the event; later than that it is recorded as undeliverable, not tried.
- Handoff: `WECOM_HANDOFF=console` keeps the session with the bot (state 1) and agents answer from
  the console; `servicer` moves an escalated session to state 3 with `WECOM_SERVICER_USERID`, who
  answers in the WeCom app, and the bot stays silent until the session ends: the servicer ends it
  in the app (WeCom reports it), or the handoff ends on the bot's side (hand-back, idle release...),
  and then the bot ends it (state 4): its next message to the customer (the closing words) goes
  with the ending code WeCom gives, as in state 4 `send_msg` may not send, and the customer's next
  message starts a new session the bot serves.

Customer text never reaches the log: only external userids, msgids and types do.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
import uuid
from collections.abc import Coroutine, Sequence
from typing import TYPE_CHECKING, Any

import aiohttp
from aiohttp import web
from tortoise.exceptions import IntegrityError
from wechatpy.crypto import WeChatCrypto

from bot.background import BackgroundTasks
from bot.channels import wecom_protocol as protocol
from bot.channels.base import Channel
from bot.channels.wechat_api import WeChatAPIError
from bot.channels.wechat_protocol import timestamp_fresh
from bot.channels.wecom_api import ENDED, SERVICER, WeComAPI, reason_of, transient
from bot.channels.wecom_sync import KfSync
from bot.config import Settings
from bot.errors import BadRequest, ConfigError, DeliveryFailed
from bot.events import SESSION_ENDED_BY_PERSON, Choice
from bot.send_budget import SendBudget
from bot.text_input import visible
from models.conversation import Conversation
from models.message import Message
from models.wecom import KfCustomer

if TYPE_CHECKING:
    from bot.runtime import Runtime

log = logging.getLogger("csbot.wecom")

PERIODIC = "wecom-sync"
#: The scheduler's deadline of a customer's sends refused for a passing reason (`wecom_api.transient`) and
#: of those queued behind them (in order), by the customer's external userid.
RESEND = "wecom-resend"
#: When each later attempt of such a send is made, after the refusal before it: a few, all well within
#: the customer's 48-hour window (WeCom refuses a send past it with a final 95002 anyway).
RESEND_DELAYS_S = (30.0, 120.0, 600.0)
#: How long a customer's queue of such sends is kept: well past its last attempt.
RESEND_KEPT_S = sum(RESEND_DELAYS_S) + 24 * 3600
#: `send_msg_on_event` accepts the welcome code this long after the event.
WELCOME_WINDOW_S = 20.0
#: `session_status_change` change types: the servicer ended the session.
SESSION_ENDED = 3
#: `service_state/trans` refusing a change (the session is no longer where the bot left it).
STATE_CHANGE_REFUSED = 95016
#: What `_servicer_session` answers while the WeCom servicer still serves the customer.
SERVING = "serving"
#: The servicer key's value once the bot ended the session: the ending code follows.
ENDING = "ending:"
STOP_GRACE_S = 10.0
#: How long a sent message's msgid is remembered for a later `msg_send_fail` (WeCom keeps 3 days).
SENT_TTL_S = 3 * 24 * 3600.0
_REQUIRED = (("wecom_kf_secret", "WECOM_KF_SECRET"), ("wecom_token", "WECOM_TOKEN"), ("wecom_aes_key", "WECOM_AES_KEY"))


class WeComChannel(Channel):
    name = protocol.CHANNEL
    max_bytes = 2048
    repeats_dropped = True  # the msgid is derived from the first stored message (`deliver`)

    def __init__(self, settings: Settings, *, http: aiohttp.ClientSession | None = None) -> None:
        for attribute, variable in _REQUIRED:
            if not getattr(settings, attribute):
                raise ConfigError(f"invalid setting {variable}: required for the WeCom channel (WECOM_CORP_ID is set)")
        if settings.wecom_handoff == "servicer" and not settings.wecom_servicer_userid:
            raise ConfigError("invalid setting WECOM_SERVICER_USERID: required when WECOM_HANDOFF=servicer")
        self.settings = settings
        self.corp_id = settings.wecom_corp_id or ""
        self.token = settings.wecom_token or ""
        self.crypto = WeChatCrypto(self.token, settings.wecom_aes_key, self.corp_id)
        self._http = http
        self.runtime: Runtime | None = None
        self.api: WeComAPI | None = None
        self.budget: SendBudget | None = None
        self.sync: KfSync | None = None
        self._background = BackgroundTasks(log, lambda: self.runtime and self.runtime.store)
        self._last_send: dict[str, asyncio.Task[Any]] = {}
        self._queues_read = False  # `reconcile`

    def routes(self) -> list[web.AbstractRouteDef]:
        path = self.settings.wecom_callback_path
        return [web.get(path, self.verify), web.post(path, self.receive)]

    async def start(self, runtime: Runtime) -> None:
        self.runtime = runtime
        settings = self.settings
        self.api = WeComAPI(corp_id=self.corp_id, secret=settings.wecom_kf_secret or "",
                            base_url=settings.wecom_api_base, timeout_s=settings.wechat_http_timeout_s,
                            store=runtime.store, clock=runtime.clock, session=self._http)
        self.budget = SendBudget(runtime.store, runtime.clock, self.name)
        self.sync = KfSync(self.api, runtime.store, runtime.clock, self._handle, limit=settings.wecom_sync_limit)
        runtime.scheduler.on(PERIODIC, self._periodic)
        runtime.scheduler.on(RESEND, self._resend)

    async def stop(self) -> None:
        await self._background.stop(STOP_GRACE_S)
        if self.api is not None:
            await self.api.close()

    async def settle(self) -> None:
        """Wait until the syncs and sends started so far are done (tests, shutdown)."""
        await self._background.settle()
        await self._runtime.recorder.settle()

    @property
    def _runtime(self) -> Runtime:
        assert self.runtime is not None, "channel used before start()"
        return self.runtime

    # --- HTTP ---
    def _check_time(self, query: Any) -> None:
        if not timestamp_fresh(query.get("timestamp") or "", self._runtime.clock.time()):
            raise BadRequest("timestamp outside the accepted window", 403)

    async def verify(self, request: web.Request) -> web.Response:
        """WeCom's URL check: answer the decrypted `echostr`."""
        try:
            self._check_time(request.query)
            echo = protocol.verify_url(self.crypto, self.token, request.query)
        except BadRequest as exc:
            return web.Response(status=exc.status, text=exc.reason)
        return web.Response(text=echo)

    async def receive(self, request: web.Request) -> web.Response:
        try:
            self._check_time(request.query)
            callback = protocol.read_callback(self.crypto, await request.read(), request.query)
        except BadRequest as exc:
            log.info("wecom callback refused (%d): %s", exc.status, exc.reason)
            return web.Response(status=exc.status, text=exc.reason)
        runtime = self._runtime
        await runtime.scheduler.at(PERIODIC, callback.open_kfid,
                                   runtime.clock.time() + self.settings.wecom_sync_interval_s)
        self._background.spawn(self._sync(callback.open_kfid, callback.token))
        return web.Response(text="success")

    async def _sync(self, open_kfid: str, token: str | None) -> None:
        assert self.sync is not None
        await self.sync.request(open_kfid, token)

    async def _periodic(self, open_kfid: str) -> None:
        """The scheduler's catch-up sync; the next one is planned whatever happens to this one."""
        runtime = self._runtime
        try:
            await self._sync(open_kfid, None)
        finally:
            await runtime.scheduler.at(PERIODIC, open_kfid, runtime.clock.time() + self.settings.wecom_sync_interval_s)

    # --- synced messages ---
    async def _handle(self, message: protocol.KfMessage) -> None:
        runtime = self._runtime
        assert self.budget is not None
        if not message.user or message.origin == protocol.SERVICER_ORIGIN:
            return  # a servicer's own message from the WeCom app: nothing to answer
        await self._remember_kf_account(message.user, message.open_kfid)
        inbound = protocol.to_inbound(message, runtime.clock.now())
        log.debug("wecom %s %s", inbound.kind, message.msgid)
        if message.msgtype == "event":
            await self._event(message, inbound)
            return
        await self.budget.customer_action(message.user)
        if inbound.kind == "text" and not visible(inbound.text):  # as on WeChat (bot/channels/wechat.py)
            log.info("wecom text %s shows nothing: not handled", message.msgid)
            return
        if await self._servicer_session(message.user, message.open_kfid) == SERVING:
            log.info("wecom %s: the session is with a WeCom servicer, the bot stays silent", message.msgid)
            return
        outcome = await runtime.dispatcher.handle(inbound, self.max_bytes)
        self._send_in_order(message.user, self._deliver(message, outcome.texts, outcome.message_ids,
                                                        outcome.choices))

    async def _deliver(self, message: protocol.KfMessage, texts: list[str], source_ids: list[str],
                       choices: Sequence[Choice]) -> None:
        """The answer, then (servicer mode) the move to the servicer: in state 3 the API may not send."""
        if texts:
            await self._runtime.outbox.send(self.name, message.user, texts, source_ids=source_ids, choices=choices)
        if self.settings.wecom_handoff == "servicer":
            await self._hand_to_servicer(message)

    async def _event(self, message: protocol.KfMessage, inbound: Any) -> None:
        event = message.event_type
        runtime = self._runtime
        if event == "enter_session":
            outcome = await runtime.dispatcher.handle(inbound, self.max_bytes)
            code = str(message.body.get("welcome_code") or "")
            if outcome.texts:
                await self._welcome(code, message.send_time, outcome.texts, outcome.message_ids, outcome.choices)
        elif event == "session_status_change" and int(message.body.get("change_type") or 0) == SESSION_ENDED:
            served = await runtime.store.get(self._servicer_key(message.user))
            if served is not None:  # that escalation is over: it is not handed to the servicer again
                await runtime.store.set(self._servicer_key(message.user, "ended"), served, ttl=30 * 24 * 3600)
            await runtime.store.delete(self._servicer_key(message.user))
            # a platform notice (bot/events.py PLATFORM_NOTICES): handled, not recorded as the customer's contact
            ended = dataclasses.replace(inbound, event=SESSION_ENDED_BY_PERSON)
            await runtime.dispatcher.handle(ended, self.max_bytes)
            log.info("wecom session ended by the servicer: back to the bot")
        elif event == "msg_send_fail":
            await self._send_failed(str(message.body.get("fail_msgid") or ""), message.body.get("fail_type"))
        else:
            log.info("wecom event %s", event)

    async def _send_failed(self, msgid: str, fail_type: object) -> None:
        """WeCom accepted a message, then could not deliver it: every stored message it carried (several
        when the outbox merged them into one send) says so, with why."""
        sent = await self._runtime.store.get(self._sent_key(msgid)) if msgid else None
        if sent is None:
            log.warning("wecom message %s failed after acceptance (fail_type %s); not one of ours to mark",
                        msgid or "-", fail_type)
            return
        reason = f"send_fail_{fail_type}" if str(fail_type).isdigit() else "send_fail"
        # a list since merged sends; a value stored by an older version is one plain id
        for source_id in json.loads(sent) if sent.startswith("[") else [sent]:
            await self._runtime.recorder.mark_delivery(source_id, "undeliverable", reason)
        log.warning("wecom message %s failed after acceptance: %s", msgid, reason)

    async def _welcome(self, code: str, sent_at: int, texts: list[str], source_ids: list[str],
                       choices: Sequence[Choice]) -> None:
        """The welcome code allows one message within 20 s: the first text goes (as a menu when the
        welcome offers choices and it is the only text), the rest are recorded."""
        recorder = self._runtime.recorder
        assert self.api is not None
        late = self._runtime.clock.time() - sent_at > WELCOME_WINDOW_S
        if not code or late:
            reason = "welcome_code_expired" if code else "no_welcome_code"
            for source_id in source_ids:
                await recorder.mark_delivery(source_id, "undeliverable", reason)
            return
        msgtype, body = protocol.message_body(texts[0], tuple(choices) if len(texts) == 1 else ())
        try:
            await self.api.send_on_event(code, msgtype, body, msgid=protocol.send_msgid(source_ids[0]))
        except WeChatAPIError as exc:
            await recorder.mark_delivery(source_ids[0], "undeliverable", reason_of(exc))
        else:
            await recorder.mark_delivery(source_ids[0], "sent")
        for source_id in source_ids[1:]:
            await recorder.mark_delivery(source_id, "undeliverable", "welcome_code_single_message")

    async def _hand_to_servicer(self, message: protocol.KfMessage) -> None:
        """Servicer mode: an escalated conversation moves to state 3 with the configured servicer."""
        conversation = await Conversation.get_or_none(key=f"{self.name}:{message.user}")
        if conversation is None or conversation.status not in ("queued", "handoff"):
            return
        escalation = str(conversation.escalated_at)
        if await self._runtime.store.get(self._servicer_key(message.user, "ended")) == escalation:
            return
        assert self.api is not None
        try:
            await self.api.trans(message.open_kfid, message.user, SERVICER, self.settings.wecom_servicer_userid)
        except WeChatAPIError as exc:
            log.warning("wecom handoff to the servicer refused: %s", reason_of(exc))
            return
        await self._runtime.store.set(self._servicer_key(message.user), escalation)

    async def _servicer_session(self, user_id: str, open_kfid: str, *, take_code: bool = False) -> str | None:
        """Where the customer's WeCom session stands: None when the bot serves it, `SERVING` while the
        servicer still does, else the ending code of the session the bot just ended because the
        handoff is over on its side (console hand-back, idle release, a 留言...). WeCom lets the API
        end a session only from state 3 (to 4), and in state 4 only that code can carry a message:
        `take_code` uses it up for the message being sent."""
        store = self._runtime.store
        key = self._servicer_key(user_id)
        if await store.get(key) is None:
            return None
        async with store.lock("wecom", "hand-back", user_id, timeout=30, wait=30):
            served = await store.get(key)
            if served is None:
                return None
            if not served.startswith(ENDING):
                conversation = await Conversation.get_or_none(key=f"{self.name}:{user_id}")
                if conversation is not None and conversation.status in ("queued", "handoff"):
                    return SERVING
                served = await self._end_session(user_id, open_kfid, served)
                if served is None:
                    return None
            if take_code:
                await store.delete(key)
            return served[len(ENDING):]

    async def _end_session(self, user_id: str, open_kfid: str, escalation: str) -> str | None:
        """3 → 4: the servicer's session ends; the key then holds the ending code (None: no code)."""
        assert self.api is not None
        store = self._runtime.store
        try:
            code = await self.api.trans(open_kfid, user_id, ENDED)
        except WeChatAPIError as exc:
            log.warning("wecom session not ended: %s", reason_of(exc))
            if exc.errcode != STATE_CHANGE_REFUSED:
                return None  # busy, token...: tried again on the next message either way
            code = None  # no longer in state 3 (the servicer ended it meanwhile): nothing to end
        await store.set(self._servicer_key(user_id, "ended"), escalation, ttl=30 * 24 * 3600)
        log.info("wecom session ended by the bot: the handoff is over")
        if code is None:
            await store.delete(self._servicer_key(user_id))
            return None
        await store.set(self._servicer_key(user_id), ENDING + code, ttl=WELCOME_WINDOW_S)
        return ENDING + code

    # --- sending ---
    def _kf_key(self, user_id: str) -> str:
        return self._runtime.store.keys("wecom", "kf-of", user_id)

    async def _remember_kf_account(self, user_id: str, open_kfid: str) -> None:
        """The kf account the customer writes to, in the database when it is new or changed (the store
        alone loses it with a restart), and in the store, which later sends read first."""
        store = self._runtime.store
        if await store.get(self._kf_key(user_id)) == open_kfid:
            return
        values = {"open_kfid": open_kfid, "updated_at": self._runtime.clock.now()}
        if not await KfCustomer.filter(external_userid=user_id).update(**values):
            try:
                await KfCustomer.create(external_userid=user_id, **values)
            except IntegrityError:  # another worker wrote it meanwhile: this message's account is the latest
                await KfCustomer.filter(external_userid=user_id).update(**values)
        await store.set(self._kf_key(user_id), open_kfid)

    async def _kf_account(self, user_id: str) -> str | None:
        """The kf account to send through: the store's, else the database's (after a restart, or a
        worker that has not met the customer), put back in the store."""
        store = self._runtime.store
        open_kfid = await store.get(self._kf_key(user_id))
        if open_kfid:
            return open_kfid
        row = await KfCustomer.get_or_none(external_userid=user_id)
        if row is None:
            return None
        await store.set(self._kf_key(user_id), row.open_kfid)
        return row.open_kfid

    def _resend_key(self, user_id: str) -> str:
        return self._runtime.store.keys("wecom", "resend", user_id)

    def _sent_key(self, msgid: str) -> str:
        return self._runtime.store.keys("wecom", "sent", msgid)

    def _servicer_key(self, user_id: str, *suffix: str) -> str:
        return self._runtime.store.keys("wecom", "servicer", user_id, *suffix)

    async def sends_left(self, user_id: str) -> int | None:
        """The budget's count, but 1 while a servicer's session is (or was just) the customer's: once the
        bot ends it, only the one message its ending code carries reaches them, so the outbox merges."""
        assert self.budget is not None, "channel used before start()"
        left = await self.budget.left(user_id)
        if await self._runtime.store.get(self._servicer_key(user_id)) is not None:
            return 1 if left is None else min(left, 1)
        return left

    async def push(self, user_id: str, text: str, *, source_id: str | None = None) -> None:
        await self.deliver(user_id, text, source_ids=[source_id] if source_id else [])

    async def deliver(self, user_id: str, text: str, *, source_ids: Sequence[str] = (),
                      choices: Sequence[Choice] = ()) -> None:
        """`send_msg` to the customer through the kf account they last wrote to; the budget is spent
        first. With choices the text goes as a `msgmenu` whose click items are the choices (as text
        when WeCom's menu limits cannot hold it). The msgid is derived from the first stored message,
        so a retry (after a token refresh, or of the whole push) is not delivered twice, and a later
        `msg_send_fail` names back every stored message the send carried. Right after the bot ended a
        servicer's session (servicer mode) the message goes with the ending code instead."""
        assert self.api is not None and self.budget is not None, "channel used before start()"
        open_kfid = await self._kf_account(user_id)
        if not open_kfid:
            raise DeliveryFailed("unknown_kf_account")
        ending = await self._servicer_session(user_id, open_kfid, take_code=True)
        ending_code = ending if ending not in (None, SERVING) else None
        if ending_code is None and not await self.budget.spend(user_id):
            raise DeliveryFailed("over_send_cap")
        msgid = protocol.send_msgid(source_ids[0]) if source_ids else uuid.uuid4().hex
        if source_ids:
            await self._runtime.store.set(self._sent_key(msgid), json.dumps(list(source_ids)), ttl=SENT_TTL_S)
        send = {"msgid": msgid, "text": text, "source_ids": list(source_ids),
                "choices": [[choice.reply, choice.label] for choice in choices], "attempt": 0}
        # an ending code lives 20 s, and a send without rows has nothing to record: neither is tried later
        later = ending_code is None and bool(source_ids)
        if later and await self._runtime.store.get(self._resend_key(user_id)) is not None:
            await self._defer(user_id, send)  # behind an earlier send waiting for its retry: in order
            raise DeliveryFailed("behind_a_retry", retryable=True)
        msgtype, body = protocol.message_body(text, tuple(choices))
        try:
            if ending_code is not None:
                await self.api.send_on_event(ending_code, msgtype, body, msgid=msgid)
            else:
                await self.api.send(user_id, msgtype, body, open_kfid=open_kfid, msgid=msgid)
        except WeChatAPIError as exc:
            if later and transient(exc):
                await self._defer(user_id, send)
                raise DeliveryFailed(reason_of(exc), retryable=True) from exc
            raise DeliveryFailed(reason_of(exc)) from exc

    async def _defer(self, user_id: str, send: dict[str, Any]) -> None:
        """Queue a send for the customer's later attempts: one refused for a passing reason, or one behind
        it (the customer's messages arrive in order). The first one queued plans the attempt."""
        runtime = self._runtime
        key = self._resend_key(user_id)
        async with runtime.store.lock("wecom", "resend", user_id, timeout=30, wait=30):
            queue = json.loads(await runtime.store.get(key) or "[]")
            if all(queued["msgid"] != send["msgid"] for queued in queue):  # workers starting together
                queue.append(send)
                await runtime.store.set(key, json.dumps(queue), ttl=RESEND_KEPT_S)
        # `ensure`, not `at`: never moves the queue's planned attempt, and plans one again when its deadline
        # was dropped (the scheduler gives up on a callback after MAX_ATTEMPTS failures) while the queue lives
        if await runtime.scheduler.ensure(RESEND, user_id, runtime.clock.time() + RESEND_DELAYS_S[0]):
            log.info("wecom send %s refused for now: tried again in %.0f s", send["msgid"], RESEND_DELAYS_S[0])

    async def reconcile(self, store_lost: bool) -> None:
        """The queues of sends refused for a passing reason, from the database: their rows stay `pending`
        with the refusal's reason until the retry records its outcome, so they are the truth when the store
        is not (an in-process store after a restart, a Redis restarted empty, a queue whose deadline was
        dropped). Read at this worker's first pass (start-up) and whenever the store came back empty, not at
        every pass (no index serves the query; a dropped deadline is planned again by the customer's next send,
        `_defer`). Per customer with such rows: a queue in the store gets its deadline back if it was lost;
        without one (the store lost it) the rows still within `RESEND_KEPT_S` are queued again in order,
        each with the msgid derived from its stored id (a first attempt WeCom did take is not delivered
        twice), and the older ones recorded undeliverable with their reason. While the store is not new,
        a row is left alone for `RESEND_DELAYS_S[0]` after it was written: its retry may have just
        finished, its mark still on its way to the database."""
        if self._queues_read and not store_lost:
            return
        runtime = self._runtime
        now = runtime.clock.now()
        rows = await (Message.filter(channel=self.name, direction="out", delivery_status="pending",
                                     failure_reason__isnull=False)
                      .order_by("id").values("source_id", "text", "failure_reason", "created_at", "conversation__key"))
        owed: dict[str, list[dict[str, Any]]] = {}
        for row in rows:
            owed.setdefault(row["conversation__key"].split(":", 1)[1], []).append(row)
        for user_id, user_rows in owed.items():
            if await runtime.store.get(self._resend_key(user_id)) is not None:
                await runtime.scheduler.ensure(RESEND, user_id, runtime.clock.time() + RESEND_DELAYS_S[0])
                continue
            grace = 0.0 if store_lost else RESEND_DELAYS_S[0]
            due = [row for row in user_rows if (now - row["created_at"]).total_seconds() >= grace]
            for row in due:
                if (now - row["created_at"]).total_seconds() > RESEND_KEPT_S:
                    await runtime.recorder.mark_delivery(row["source_id"], "undeliverable", row["failure_reason"])
                else:
                    await self._requeue(user_id, row["source_id"], row["text"])
        self._queues_read = True

    async def _requeue(self, user_id: str, source_id: str, text: str) -> None:
        """A pending row queued again for its later attempts (`reconcile`); a menu's click items are not
        stored, so its text goes as it is."""
        msgid = protocol.send_msgid(source_id)
        await self._runtime.store.set(self._sent_key(msgid), json.dumps([source_id]), ttl=SENT_TTL_S)
        await self._defer(user_id, {"msgid": msgid, "text": text, "source_ids": [source_id], "choices": [],
                                    "attempt": 0})

    async def _resend(self, user_id: str) -> None:
        """The scheduler's later attempt of the customer's queued sends, in order, each with its msgid
        (WeCom takes a message once, so a first attempt that did reach WeCom is not delivered twice) and
        the budget already spent for it: sent, or refused for good, and on to the next; refused for a
        passing reason again, the queue waits for the next attempt while that send has attempts left
        (`RESEND_DELAYS_S`), else it is recorded refused and the next one tried."""
        runtime = self._runtime
        assert self.api is not None
        while True:
            queue = json.loads(await runtime.store.get(self._resend_key(user_id)) or "[]")
            if not queue:
                return
            send = queue[0]
            status, reason = await self._send_again(user_id, send)
            if status is None:  # refused for now, attempts left: the queue waits
                await self._update_queue(user_id, send["msgid"], {**send, "attempt": send["attempt"] + 1})
                await runtime.scheduler.at(RESEND, user_id,
                                           runtime.clock.time() + RESEND_DELAYS_S[send["attempt"] + 1])
                return
            for source_id in send["source_ids"]:
                await runtime.recorder.mark_delivery(source_id, status, reason)
            await self._update_queue(user_id, send["msgid"], None)
            log.info("wecom deferred send %s: %s", send["msgid"], reason or status)

    async def _send_again(self, user_id: str, send: dict[str, Any]) -> tuple[str | None, str | None]:
        """One later attempt: ("sent", None), ("undeliverable", reason), or (None, reason) when it is
        refused for a passing reason again and has attempts left."""
        assert self.api is not None
        choices = tuple(Choice(reply, label) for reply, label in send["choices"])
        msgtype, body = protocol.message_body(send["text"], choices)
        open_kfid = await self._kf_account(user_id)
        if not open_kfid:
            return "undeliverable", "unknown_kf_account"
        try:
            await self.api.send(user_id, msgtype, body, open_kfid=open_kfid, msgid=send["msgid"])
        except WeChatAPIError as exc:
            again = transient(exc) and send["attempt"] + 1 < len(RESEND_DELAYS_S)
            return (None if again else "undeliverable"), reason_of(exc)
        return "sent", None

    async def _update_queue(self, user_id: str, msgid: str, send: dict[str, Any] | None) -> None:
        """The queued send `msgid` replaced by `send` (its next attempt), or removed (None)."""
        store = self._runtime.store
        key = self._resend_key(user_id)
        async with store.lock("wecom", "resend", user_id, timeout=30, wait=30):
            queue = json.loads(await store.get(key) or "[]")
            queue = [entry if entry["msgid"] != msgid else send for entry in queue]
            queue = [entry for entry in queue if entry is not None]
            if queue:
                await store.set(key, json.dumps(queue), ttl=RESEND_KEPT_S)
            else:
                await store.delete(key)

    def _send_in_order(self, user_id: str, send: Coroutine[Any, Any, Any]) -> None:
        """Sends to one customer leave in the order their messages were synced."""
        previous = self._last_send.get(user_id)

        async def after_previous() -> None:
            if previous is not None:
                await asyncio.wait({previous})
            await send

        task = self._background.spawn(after_previous())
        self._last_send[user_id] = task
        task.add_done_callback(lambda done: self._last_send.pop(user_id, None)
                               if self._last_send.get(user_id) is done else None)

