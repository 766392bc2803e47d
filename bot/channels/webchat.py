"""The shop's own chat window: a page at `/`, a JSON endpoint per message, a WebSocket for later messages.

`POST /api/webchat/visitor` issues the visitor's signed token (bot/web/visitors.py, docs/webchat.md);
the page keeps it and proves it on every request: `X-Visitor-Token` on the POSTs, `token` in the
WebSocket's query string. A request without a token is a 401, one with a forged token, or whose
`user_id` is not the token's visitor, a 403. The visitor id inside the token is the only thing that
names a conversation, and only the server makes one.

`POST /api/webchat/messages` takes `{"text"}` (and an optional `client_msg_id`, so a phone that
resends after a dropped connection gets the same answer instead of a second one) and answers
`{"replies": [...], "choices": [...]}` (answers the customer may pick, shown as buttons under the
last reply; a pick sends its `reply` exactly as if typed). The JSON endpoints are typed
(bot/web/typed.py; shapes in webchat_schemas.py).
Messages sent later (an agent's reply, a follow-up) are published on the store
under the visitor's topic, so the WebSocket of whichever worker the page is connected to delivers them.
Nobody hears a topic while the page's connection is down: after every (re)connect, and when it becomes
visible again, the page asks `GET /api/webchat/history?after=<its newest message's at>` for what it
missed. Every shop message carries its stored id (`ids` of a reply and of a WebSocket event, `id` in the
history; a customer message's is its `client_msg_id`), so the page shows each one once.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
from collections.abc import Sequence
from datetime import MAXYEAR, UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from aiohttp import web

from bot.channels.base import Channel
from bot.channels.webchat_schemas import (
    ChoiceOut,
    HistoryOut,
    HistoryQuery,
    MessageIn,
    RepliesOut,
    VisitorIn,
    VisitorOut,
)
from bot.events import Choice, Inbound
from bot.ids import unique_id
from bot.runtime import RUNTIME
from bot.text_input import clean_text, visible
from bot.web import pages
from bot.web.live import forward_events
from bot.web.problems import ApiError
from bot.web.typed import Endpoint, endpoint
from bot.web.visitors import TOKEN_HEADER, SecretMissing, VisitorTokens, new_visitor_id, webchat_secret
from models.customer import Customer
from models.message import Message

if TYPE_CHECKING:
    from bot.runtime import Runtime

log = logging.getLogger("csbot.webchat")

STATIC = Path(__file__).resolve().parent.parent / "web" / "static"
MAX_TEXT_CHARS = 2000
REPLY_CACHE_TTL_S = 600
#: Cached-reply value while the first try of a message is being answered: this prefix and the try's own
#: id, so that the claim sent again after a lost reply finds it taken by itself (Store.claim).
IN_FLIGHT = "in-flight:"
RETRY_WAIT_S = 10.0
#: How long the in-flight claim lasts: past any answer still coming (the conversation's lock is waited
#: for 5 s and leased 10 s, Store.hold_conversation), yet short, because a claim whose owner vanished
#: (its worker died, or Redis ran it but answered too late) makes every resend wait and answer nothing
#: until it expires. Only the answer itself is cached for `REPLY_CACHE_TTL_S`; a resend handled again
#: after this is still not answered twice (the dispatcher knows the message by its `source_id`).
IN_FLIGHT_TTL_S = 2 * RETRY_WAIT_S
HISTORY_LIMIT = 50
CHAT_TEXTS = "chat_page"  # scripts_zh/chat_page.yaml: the chat window's wording (bot/web/ui_texts.py)


def _in_flight(cached: str | None) -> bool:
    """The cached reply is still being answered ("": an in-flight value written by an older version)."""
    return cached is not None and (cached == "" or cached.startswith(IN_FLIGHT))


#: The web-chat visitor who owns the demo shop's orders (`csbot demo`); `/demo` opens the chat as them.
DEMO_VISITOR = "demo-visitor"


def topic(user_id: str) -> str:
    return f"webchat:{user_id}"


def proven_visitor(request: web.Request, claimed: object = None) -> str:
    """The web-chat visitor a request proves with its token, for other areas' visitor endpoints
    (photo uploads, referral visits); see `WebChatChannel.visitor`."""
    return webchat_of(request).visitor(request, claimed)


def webchat_of(request: web.Request) -> WebChatChannel:
    channel = request.app[RUNTIME].channels.get("webchat")
    if not isinstance(channel, WebChatChannel):
        raise ApiError(404, "webchat_disabled", "the web chat is not enabled")
    return channel


class WebChatChannel(Channel):
    name = "webchat"
    max_bytes = 2000

    def __init__(self) -> None:
        self.runtime: Runtime | None = None
        self.tokens: VisitorTokens | None = None

    async def start(self, runtime: Runtime) -> None:
        self.runtime = runtime
        settings = runtime.settings
        try:
            secret = await webchat_secret(settings)
        except SecretMissing as exc:
            log.error("web chat refuses visitors until it is set: %s", exc)
            return
        identity = settings.webchat_identity_secret
        self.tokens = VisitorTokens(secret, identity.encode("utf-8") if identity else None)

    def routes(self) -> list[web.AbstractRouteDef]:
        return [
            web.get("/", self.page),
            web.get("/demo", self.demo_page),
            web.get("/favicon.ico", favicon),
            web.get("/ws/webchat", self.websocket),
            web.static("/static", STATIC),
        ]

    def endpoints(self) -> list[Endpoint]:
        return ENDPOINTS

    async def page(self, request: web.Request) -> web.Response:
        runtime = self._runtime
        return pages.render(request, "chat.html", {
            "shop_name": runtime.settings.shop_name, "max_chars": MAX_TEXT_CHARS,
            "t": runtime.templates.section(CHAT_TEXTS),
        })

    async def demo_page(self, request: web.Request) -> web.Response:
        """Opens the chat as the demo customer: the page hands a token of `DEMO_VISITOR` to demo.js, which
        keeps it as this browser's visitor token and goes on to `/`. Only once `csbot demo` has created
        that customer, so a real shop's server has no such door."""
        if not await Customer.exists(channel=self.name, external_id=DEMO_VISITOR):
            raise web.HTTPNotFound(text="no demo shop here: run `csbot demo` first")
        token = self._tokens().issue(DEMO_VISITOR)
        return pages.render(request, "demo.html", {"token": token, "t": self._runtime.templates.section(CHAT_TEXTS)})

    @property
    def _runtime(self) -> Runtime:
        assert self.runtime is not None, "channel used before the runtime started"
        return self.runtime

    # --- visitor identity ---
    def _tokens(self) -> VisitorTokens:
        if self.tokens is None:
            raise ApiError(503, "webchat_not_configured", "the web chat is not configured (WEBCHAT_SECRET)")
        return self.tokens

    def visitor(self, request: web.Request, claimed: object = None, *, token: str | None = None) -> str:
        """The visitor the request's token proves (401 without one, 403 for a forged one or one that
        is not `claimed`, the user_id the body names, when it names one)."""
        tokens = self._tokens()
        token = token if token is not None else request.headers.get(TOKEN_HEADER, "")
        if not token:
            raise ApiError(401, "visitor_token_required", "a visitor token is required: POST /api/webchat/visitor")
        visitor = tokens.visitor_of(token)
        if visitor is None:
            raise ApiError(403, "visitor_token_invalid", "the visitor token is not valid")
        if claimed is not None and claimed != visitor:
            raise ApiError(403, "visitor_mismatch", "user_id is not the visitor of the token")
        return visitor

    def issue_visitor(self, body: VisitorIn) -> VisitorOut:
        """A token for a new visitor, the same one for a visitor who has one, or the verified
        customer's when the shop's site signed their id (`customer_id`, `customer_sig`)."""
        tokens = self._tokens()
        if body.customer_id is not None or body.customer_sig is not None:
            if not tokens.verifies_customers:
                raise ApiError(403, "identity_not_configured", "identity verification is not configured")
            if body.customer_id is None or body.customer_sig is None:
                raise ApiError(400, "invalid_body", "customer_id and customer_sig go together")
            visitor = tokens.verified_visitor(body.customer_id, body.customer_sig)
            if visitor is None:
                raise ApiError(403, "identity_mismatch", "customer_sig does not match customer_id")
        elif body.token and tokens.visitor_of(body.token):
            visitor = tokens.visitor_of(body.token) or ""
        else:
            visitor = new_visitor_id()
        return VisitorOut(visitor_id=visitor, token=tokens.issue(visitor))

    # --- messages ---
    async def answer(self, user_id: str, body: MessageIn) -> RepliesOut:
        """The replies to one message (the first try's again for a resend of the same `client_msg_id`)."""
        text, client_msg_id = _cleaned(body.text), body.client_msg_id
        store = self._runtime.store
        cache_key = store.keys("webchat-reply", user_id, client_msg_id) if client_msg_id else None
        answered_topic = f"webchat-reply:{user_id}:{client_msg_id}"  # the store adds its prefix to topics
        if cache_key and not await store.claim(cache_key, IN_FLIGHT_TTL_S, value=IN_FLIGHT + unique_id()):
            return await self._replies_of_first_try(cache_key, answered_topic)
        inbound = Inbound(channel=self.name, user_id=user_id, kind="text", text=text,
                          source_id=f"{user_id}:{client_msg_id}" if client_msg_id else None,
                          received_at=self._runtime.clock.now())
        try:
            outcome = await self._runtime.dispatcher.handle(inbound, self.max_bytes)
        except BaseException:
            if cache_key:  # let the phone's next retry process the message instead of losing it
                await store.delete(cache_key)
                await store.publish(answered_topic, {"answered": False})
            raise
        self._runtime.recorder.note_sent(outcome.message_ids)
        replies = RepliesOut(replies=outcome.texts, ids=outcome.message_ids,
                             choices=choices_out(outcome.choices) if outcome.texts else [])
        if cache_key:
            await store.set(cache_key, replies.model_dump_json(), REPLY_CACHE_TTL_S)
            await store.publish(answered_topic, {"answered": True})
        return replies

    async def _replies_of_first_try(self, cache_key: str, answered_topic: str) -> RepliesOut:
        """A resend while the first try is still being answered waits (bounded) for that answer.

        The first try announces its answer on the store, so the wait works across workers; the cache
        is read again after subscribing, so an answer that landed in between is not missed.
        """
        store = self._runtime.store
        async with store.subscribe(answered_topic) as answers:
            cached = await store.get(cache_key)
            if _in_flight(cached):
                try:
                    async with asyncio.timeout(RETRY_WAIT_S):
                        await anext(answers)
                except TimeoutError:
                    return RepliesOut(replies=[])
                cached = await store.get(cache_key)
        if cached is None or _in_flight(cached):
            return RepliesOut(replies=[])
        first = json.loads(cached)  # a plain list of texts was cached by an older version
        return RepliesOut(replies=first) if isinstance(first, list) else RepliesOut.model_validate(first)

    async def history(self, user_id: str, after: datetime | None = None) -> HistoryOut:
        """The visitor's text messages, oldest first, at most `HISTORY_LIMIT`: only what was said to or by
        this visitor (no events, no staff notes).

        Without `after`, the latest ones, so a reloaded page shows the conversation. With `after`, the
        earliest at or after that time, for a page catching up after its connection was down: a full
        page means there may be more, and the page asks again from the newest one it got (at, not
        after: a message written in the same instant as the page's newest is not skipped; the page
        knows each message by its `id` and shows it once)."""
        rows = Message.filter(conversation__key=f"{self.name}:{user_id}", kind="text").exclude(text="")
        fields = ("direction", "text", "created_at", "source_id")
        if after is None:
            found = list(reversed(await rows.order_by("-created_at", "-id").limit(HISTORY_LIMIT).values(*fields)))
        else:
            since = in_utc(after)
            if since is None:
                return HistoryOut(messages=[])
            found = await (rows.filter(created_at__gte=since).order_by("created_at", "id").limit(HISTORY_LIMIT)
                           .values(*fields))
        return HistoryOut.model_validate({"messages": [
            {"id": _page_id(user_id, row["direction"], row["source_id"]), "direction": row["direction"],
             "text": row["text"], "at": row["created_at"]} for row in found]})

    async def websocket(self, request: web.Request) -> web.WebSocketResponse:
        user_id = self.visitor(request, request.query.get("user_id"), token=request.query.get("token", ""))
        return await forward_events(request, self._runtime.store, topic(user_id))

    async def deliver(self, user_id: str, text: str, *, source_ids: Sequence[str] = (),
                      choices: Sequence[Choice] = ()) -> None:
        """A later message for the page's WebSocket, with the buttons of its choices."""
        payload: dict[str, object] = {"text": text}
        if source_ids:  # the stored rows it carries, as the history names them: the page shows it once
            payload["ids"] = list(source_ids)
        if choices:
            payload["choices"] = [choice.model_dump() for choice in choices_out(choices)]
        await self._runtime.store.publish(topic(user_id), payload)


def in_utc(at: datetime) -> datetime | None:
    """`at` in UTC, as the times are stored: SQLite compares the written text, so 12:00+08:00 would
    count as later than 05:00+00:00. A time beyond what UTC can write is clamped to the earliest one
    (everything is after it), or None when past the latest (nothing is)."""
    try:
        return at.astimezone(UTC)
    except OverflowError:
        return None if at.year == MAXYEAR else datetime.min.replace(tzinfo=UTC)


def _page_id(user_id: str, direction: str, source_id: str | None) -> str | None:
    """The id the page knows a stored message by: a shop message's stored id (its reply and its WebSocket
    event carry it too), a customer message's `client_msg_id` (the page made it; stored after the visitor's
    id, `answer`); None for a customer message sent without one."""
    if direction == "out" or source_id is None:
        return source_id
    visitor_prefix = f"{user_id}:"
    return source_id.removeprefix(visitor_prefix) if source_id.startswith(visitor_prefix) else None


def choices_out(choices: Sequence[Choice]) -> list[ChoiceOut]:
    return [ChoiceOut(reply=choice.reply, label=choice.shown) for choice in choices]


async def favicon(request: web.Request) -> web.Response:
    """Browsers ask for /favicon.ico on every page; the shop's icon instead of a 404 each time.

    Served from memory, not as a `FileResponse`: the browser asks for it after the page has loaded,
    unawaited, so the request may be cut (page closed, server stopping) while aiohttp opens the file
    in a thread, and the opened file is then left to the garbage collector (an "unclosed file"
    ResourceWarning, which failed a test run now and then)."""
    return web.Response(body=_favicon_bytes(), content_type="image/vnd.microsoft.icon",
                        headers={"Cache-Control": "max-age=86400"})


@functools.cache
def _favicon_bytes() -> bytes:
    return (STATIC / "favicon.ico").read_bytes()  # 4 KB, read once per process


def _cleaned(text: str) -> str:
    """The message as stored; one that shows nothing (blank, or only format characters such as
    "\u200b" or "\u202e") is refused as empty, not stored and answered."""
    text = clean_text(text)
    if not visible(text):
        raise ApiError(400, "invalid_body", "text must show something")
    if len(text) > MAX_TEXT_CHARS:
        raise ApiError(413, "text_too_long", f"text is limited to {MAX_TEXT_CHARS} characters")
    return text.strip()


async def _visitor_proven(request: web.Request) -> None:
    """The token is checked before the body is read (a stranger hears 401, not what is wrong with it)."""
    webchat_of(request).visitor(request)


VISITOR_SECURITY = [{"visitor": []}]
VISITOR_ERRORS = {401: "no visitor token (visitor_token_required)",
                  403: "forged token, or user_id not the token's (visitor_token_invalid, visitor_mismatch)",
                  503: "the web chat is not configured (webchat_not_configured)"}


@endpoint("POST", "/api/webchat/visitor", body=VisitorIn, response=VisitorOut, public=True, tag="webchat",
          summary="A signed visitor token: new, the same again, or a verified customer's",
          errors={403: "identity verification refused (identity_not_configured, identity_mismatch)",
                  503: "the web chat is not configured (webchat_not_configured)"})
async def post_visitor(request: web.Request, body: VisitorIn) -> VisitorOut:
    return webchat_of(request).issue_visitor(body)


@endpoint("POST", "/api/webchat/messages", body=MessageIn, response=RepliesOut, public=True, tag="webchat",
          before=_visitor_proven, security=VISITOR_SECURITY,
          summary="Send the bot a message; its replies come back at once, later ones over /ws/webchat",
          errors={**VISITOR_ERRORS, 413: "text over 2000 characters (text_too_long)"})
async def post_message(request: web.Request, body: MessageIn) -> RepliesOut:
    channel = webchat_of(request)
    return await channel.answer(channel.visitor(request, body.user_id), body)


@endpoint("GET", "/api/webchat/history", query=HistoryQuery, response=HistoryOut, public=True, tag="webchat",
          before=_visitor_proven, security=VISITOR_SECURITY, errors=VISITOR_ERRORS,
          summary="The visitor's latest messages, oldest first (a reloaded page shows the conversation; "
                  "`after`: those a reconnected page missed)")
async def get_history(request: web.Request, query: HistoryQuery) -> HistoryOut:
    channel = webchat_of(request)
    return await channel.history(channel.visitor(request, query.user_id), query.after)  # the visitor's own page


ENDPOINTS = [post_visitor, post_message, get_history]
