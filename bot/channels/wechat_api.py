"""An async client for the few WeChat Official Account APIs the bot calls, on aiohttp.

wechatpy's own client is blocking (requests), so it is never used here; wechatpy stays a protocol
library. Every call has a timeout (`settings.wechat_http_timeout_s`) and answers either a parsed
JSON object or `WeChatAPIError` with a short `reason` that can be recorded on a message row.

The access token is shared by every worker through the store: the cached token and its expiry
sit under one key; a worker that finds it missing, expiring or rejected refreshes it under
`store.lock(...)` and re-reads the cache once it holds the lock (double-checked), so a fleet that
notices an expired token at the same moment makes one `cgi-bin/token` call, not one per worker
(WeChat caps those calls per day, and each call invalidates the previous token after 5 minutes).
A call refused with 40001/40014/42001 (token invalid or expired) refreshes the token once and
retries once.

A call that did not complete is told apart by whether WeChat may have it: `network` when the
connection was never made (refused, unreachable, or not made within half the timeout), so nothing
reached WeChat; `timeout` or `no_answer` (`MAYBE_DONE`) when the request went and its answer did not
come back in time or whole, so WeChat may have acted on it (a text may be on the customer's phone).
The Official Account's send takes no idempotency key, so the outbox does not send such a text again
within a deadline's retries (bot/outbox.py). A call whose token request went unanswered was never
sent: it is `network`.

One failure is not taken for `no_answer`: a request on a kept-alive connection (reused from the pool)
whose connection closed before the head of an answer came. That is how a connection WeChat closed while
idle fails when the close crosses the next request (or a middlebox forgot the connection): the request
reached nobody. It is the common case of a connection closed unanswered, so the request goes once more,
at once, on a fresh connection (`_stale`, `http_session`), within what is left of the call's timeout
(`_time_left`, counted on the client's clock: `_on_the_clock`); a failure there is told as above. The cost, a
request WeChat took on a reused connection and then closed without a byte of answer sent twice, is the
rarer case (docs/handoff-sla.md, "Deadlines in an outage").
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator
from typing import Any

import aiohttp

from bot.channels.base import MAYBE_DONE
from bot.clock import Clock
from bot.errors import ChannelError
from bot.store.base import LockTimeout, Store

log = logging.getLogger("csbot.wechat")

TOKEN_ERRORS = frozenset({40001, 40014, 42001})  # invalid credential, invalid token, token expired
#: Refresh a token this long before WeChat says it expires, so no call carries a dying token.
TOKEN_MARGIN_S = 300
#: Why a platform refused a message, as recorded on the message row.
REASONS = {
    45015: "outside_48h_window",
    45047: "over_send_cap",
    45002: "content_too_long",
    43004: "not_subscribed",
    40003: "invalid_openid",
}


async def _note_reused(session: aiohttp.ClientSession, context: Any, params: Any) -> None:
    if isinstance(context.trace_request_ctx, set):
        context.trace_request_ctx.add("reused")


def http_session() -> aiohttp.ClientSession:
    """A session whose requests note in their `trace_request_ctx` (a set) a connection reused from the
    pool: `WeChatAPI` resends a request whose reused connection closed unanswered (module docstring)."""
    tracing = aiohttp.TraceConfig()
    tracing.on_connection_reuseconn.append(_note_reused)
    return aiohttp.ClientSession(trace_configs=[tracing])


def _stale(exc: BaseException, attempt: set[str]) -> bool:
    """The request went on a reused connection that closed (or was reset) before the head of an answer
    came: a connection the server had closed while idle."""
    closed = isinstance(exc, aiohttp.ServerDisconnectedError | aiohttp.ClientOSError)
    return closed and not isinstance(exc, aiohttp.ClientConnectorError) and "reused" in attempt \
        and "answered" not in attempt


class WeChatAPIError(ChannelError):
    """WeChat refused a call (`errcode`), or the call did not complete (`reason` timeout/network)."""

    def __init__(self, reason: str, errcode: int | None = None, errmsg: str = "") -> None:
        super().__init__(f"{reason} ({errcode})" if errcode is not None else reason)  # errmsg is WeChat's text
        self.reason = reason
        self.errcode = errcode
        self.errmsg = errmsg

    @classmethod
    def from_errcode(cls, errcode: int, errmsg: str) -> WeChatAPIError:
        return cls(REASONS.get(errcode, f"errcode_{errcode}"), errcode, errmsg)


class WeChatAPI:
    def __init__(
        self, *, appid: str, appsecret: str, base_url: str, timeout_s: float, store: Store, clock: Clock,
        session: aiohttp.ClientSession | None = None,
    ) -> None:
        """`session`, when given, resends a request on a stale connection only if made by `http_session`."""
        self.appid = appid
        self._secret = appsecret
        self.base_url = base_url.rstrip("/")
        # a connection not made in half the time fails as `ConnectionTimeoutError`: surely not sent
        self._timeout = aiohttp.ClientTimeout(total=timeout_s, sock_connect=timeout_s / 2)
        self.store = store
        self.clock = clock
        self._session = session
        self._owns_session = session is None
        self._token_key = store.keys("wechat", "token", appid)
        self._lock_name = ("wechat", "token-refresh", appid)

    @property
    def session(self) -> aiohttp.ClientSession:
        if self._session is None:  # created lazily: it must be made inside the running loop
            self._session = http_session()
        return self._session

    async def close(self) -> None:
        if self._owns_session and self._session is not None:
            await self._session.close()
        self._session = None

    # --- access token ---
    async def access_token(self, *, rejected: str | None = None) -> str:
        """A live token from the shared cache, refreshed by one worker when missing or `rejected`."""
        token = await self._cached_token()
        if token and token != rejected:
            return token
        lease = 2 * (self._timeout.total or 5.0)
        try:
            async with self.store.lock(*self._lock_name, timeout=lease, wait=lease):
                token = await self._cached_token()  # another worker may have refreshed while we waited
                if token and token != rejected:
                    return token
                return await self._refresh()
        except LockTimeout:
            raise WeChatAPIError("token_refresh_busy") from None

    async def _cached_token(self) -> str | None:
        raw = await self.store.get(self._token_key)
        if not raw:
            return None
        try:
            cached = json.loads(raw)
            token, expires_at = cached["token"], float(cached["expires_at"])
        except (ValueError, KeyError, TypeError):
            return None
        return token if expires_at > self.clock.time() else None

    async def _refresh(self) -> str:
        params = {"grant_type": "client_credential", "appid": self.appid, "secret": self._secret}
        data = await self._request("GET", "/cgi-bin/token", params=params)
        token, expires_in = data.get("access_token"), data.get("expires_in")
        if not isinstance(token, str) or not token or not isinstance(expires_in, int | float):
            raise WeChatAPIError("bad_token_response")
        lifetime = max(float(expires_in) - TOKEN_MARGIN_S, float(expires_in) / 2)
        payload = {"token": token, "expires_at": self.clock.time() + lifetime}
        await self.store.set(self._token_key, json.dumps(payload), ttl=lifetime)
        log.info("wechat access token refreshed for %s, valid %.0f s", self.appid, lifetime)
        return token

    # --- calls ---
    async def call(self, path: str, payload: dict[str, Any]) -> dict[str, Any]:
        """POST JSON to an API that takes `access_token`; retries once with a fresh token when it is refused."""
        token = await self._token_for_call()
        try:
            return await self._request("POST", path, params={"access_token": token}, payload=payload)
        except WeChatAPIError as exc:
            if exc.errcode not in TOKEN_ERRORS:
                raise
            log.info("wechat token refused (%s) on %s; refreshing once", exc.errcode, path)
        token = await self._token_for_call(rejected=token)
        return await self._request("POST", path, params={"access_token": token}, payload=payload)

    async def _token_for_call(self, *, rejected: str | None = None) -> str:
        """`access_token` before a call is sent: a token request that went unanswered (`MAYBE_DONE`) is
        `network` for the call, whose own request never left. Its `timeout` would say WeChat may have
        taken the call (a text then taken for sent by a deadline's retry, bot/outbox.py: never sent)."""
        try:
            return await self.access_token(rejected=rejected)
        except WeChatAPIError as exc:
            if exc.reason not in MAYBE_DONE:
                raise
            raise WeChatAPIError("network", errmsg=f"token {exc.reason}") from None

    async def send_text(self, openid: str, text: str) -> None:
        """A customer-service (kf) text message; allowed within 48 h of the customer's last message."""
        await self.call("/cgi-bin/message/custom/send",
                        {"touser": openid, "msgtype": "text", "text": {"content": text}})

    async def send_template(
        self, openid: str, template_id: str, data: dict[str, Any], *, url: str | None = None
    ) -> int:
        """A template message (outside the 48 h window); returns its msgid."""
        payload: dict[str, Any] = {"touser": openid, "template_id": template_id, "data": data}
        if url:
            payload["url"] = url
        return int((await self.call("/cgi-bin/message/template/send", payload)).get("msgid", 0))

    async def create_qrcode(self, scene: str, *, expire_seconds: int | None = None) -> dict[str, Any]:
        """A parametric QR code: temporary with `expire_seconds`, else permanent; returns ticket and url."""
        payload: dict[str, Any] = {"action_info": {"scene": {"scene_str": scene}}}
        if expire_seconds is None:
            payload["action_name"] = "QR_LIMIT_STR_SCENE"
        else:
            payload.update(action_name="QR_STR_SCENE", expire_seconds=expire_seconds)
        return await self.call("/cgi-bin/qrcode/create", payload)

    async def _request(
        self, method: str, path: str, *, params: dict[str, str], payload: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        body = None if payload is None else json.dumps(payload, ensure_ascii=False).encode("utf-8")
        headers = {"Content-Type": "application/json; charset=utf-8"} if body is not None else None
        try:
            status, raw = await self._exchange(method, path, params=params, body=body, headers=headers)
        except (aiohttp.ClientConnectorError, aiohttp.ConnectionTimeoutError) as exc:  # nothing was sent
            raise WeChatAPIError("network", errmsg=type(exc).__name__) from None  # never the URL: it has the token
        except TimeoutError:
            raise WeChatAPIError("timeout") from None
        except aiohttp.ClientError as exc:  # sent, the answer lost (the connection dropped, a broken body)
            raise WeChatAPIError("no_answer", errmsg=type(exc).__name__) from None
        try:
            data = json.loads(raw)
        except ValueError:
            raise WeChatAPIError(f"http_{status}" if status >= 400 else "bad_response") from None
        if not isinstance(data, dict):
            raise WeChatAPIError("bad_response")
        errcode = data.get("errcode", 0)
        if errcode:
            code = errcode if isinstance(errcode, int) else -1
            raise WeChatAPIError.from_errcode(code, str(data.get("errmsg", "")))
        if status >= 400:
            raise WeChatAPIError(f"http_{status}")
        return data

    async def _exchange(self, method: str, path: str, *, params: dict[str, str], body: bytes | None,
                        headers: dict[str, str] | None) -> tuple[int, bytes]:
        """The answer's status and body; a request whose reused connection closed before the answer's head
        (`_stale`) goes once more on a fresh connection, never through the pool's other idle ones."""
        attempt: set[str] = set()
        began = self.clock.monotonic()
        try:
            return await self._exchange_on(self.session, method, path, params=params, body=body,
                                           headers=headers, attempt=attempt, limits=self._timeout)
        except aiohttp.ClientError as exc:
            if not _stale(exc, attempt):
                raise
            log.info("wechat connection closed while idle (%s) on %s; sending on a fresh one", type(exc).__name__,
                     path)
        left = self._time_left(began)
        connect = aiohttp.ClientTimeout(sock_connect=min(left, (self._timeout.total or 0.0) / 2))
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(force_close=True)) as fresh, \
                self._on_the_clock(left):
            return await self._exchange_on(fresh, method, path, params=params, body=body, headers=headers,
                                           attempt=attempt, limits=connect)

    @contextlib.asynccontextmanager
    async def _on_the_clock(self, seconds: float) -> AsyncIterator[None]:
        """A `TimeoutError` (as aiohttp's `total`) once `seconds` pass on the client's clock, which tests move
        (aiohttp's own timeouts read the loop's time)."""
        async with asyncio.timeout(None) as deadline:
            loop = asyncio.get_running_loop()
            alarm = self.clock.call_later(seconds, lambda: deadline.reschedule(loop.time()))
            try:
                yield
            finally:
                alarm.cancel()

    def _time_left(self, began: float) -> float:
        """The time a resend has: what is left of the call's (`began` on the clock), so a call lasts one
        timeout, resend included. A resend with a whole timeout of its own let a token refresh last two
        timeouts and its store round trips, past the token lock's lease of two (`access_token`): another
        worker then took the lock and refreshed too. No time left: the resend is not made, a `network`
        failure (the stale request reached nobody)."""
        total = self._timeout.total or 0.0
        left = total - (self.clock.monotonic() - began)
        if left <= 0:
            raise aiohttp.ConnectionTimeoutError("no time left to send again")
        return left

    async def _exchange_on(self, session: aiohttp.ClientSession, method: str, path: str, *,
                           params: dict[str, str], body: bytes | None, headers: dict[str, str] | None,
                           attempt: set[str], limits: aiohttp.ClientTimeout) -> tuple[int, bytes]:
        async with session.request(method, self.base_url + path, params=params, data=body, headers=headers,
                                   timeout=limits, trace_request_ctx=attempt) as response:
            attempt.add("answered")  # the head came: what fails now failed after WeChat took the request
            return response.status, await response.read()

