"""An async client for the WeCom 微信客服 (kf) APIs the bot calls, on aiohttp (docs/wecom.md).

It is the Official Account client (`wechat_api.WeChatAPI`) with WeCom's token: `gettoken` with the
corp id and the kf secret instead of `token` with appid and secret. Everything else is shared: the
token cached in the store for every worker, refreshed by one worker under a store lock, and a call
refused for its token (WeCom: 40014 invalid, 42001 expired) refreshed once and retried once. WeCom
answers like the Official Account (HTTP 200, `errcode` in the JSON body), so errors are
`WeChatAPIError` with a `reason` from `REASONS` below, recorded on the message row. What each code
means, where that comes from and which are retried: docs/wecom.md ("Error codes").
"""

from __future__ import annotations

import json
import logging
from typing import Any

import aiohttp

from bot.channels.wechat_api import TOKEN_MARGIN_S, WeChatAPI, WeChatAPIError
from bot.clock import Clock
from bot.store.base import Store

log = logging.getLogger("csbot.wecom")

#: Why WeCom refused a message, as recorded on the message row (none of these is retried; the
#: `TRANSIENT_ERRCODES` are, recorded as `errcode_<n>`). The meanings are those of WeCom's global error
#: table (docs/wecom.md, "Error codes").
REASONS = {
    95000: "invalid_open_kfid",
    95001: "over_send_cap",  # the customer's allowance of messages is used up until they write again
    95002: "over_send_window",  # more than 48 h after the customer's last message
    95004: "unknown_kf_account",
    95013: "session_ended",
    95016: "state_change_refused",  # a session state change WeCom does not allow
    95018: "session_state_refuses",  # the session's state does not allow the API to send
    40096: "invalid_external_userid",  # no such external contact (or not this corp's)
    45002: "content_too_long",
}
#: "System busy": WeCom's global error table advises trying again (at most 3 times); the bot tries
#: once more at once, safe for `send_msg` because the msgid makes a repeat a no-op.
BUSY = -1
#: `sync_msg` refusing the stored cursor: WeCom's code for an invalid paging cursor. Sync again
#: from the oldest kept message.
CURSOR_ERRORS = frozenset({50100})
#: `sync_msg` refusing the callback's token (WeCom's "invalid msgtoken": it lives 10 minutes):
#: sync again without a token.
SYNC_TOKEN_ERRORS = frozenset({95007})
#: Refusals that say nothing about the cursor (credentials, rate, the kf account): a sync they stop
#: keeps its cursor. Any other refusal repeated `CURSOR_SUSPECT_AFTER` times in a row with a cursor
#: drops the cursor, so an undocumented answer to a bad cursor cannot stall the account forever.
NOT_ABOUT_CURSOR = frozenset({BUSY, 40001, 40013, 40014, 42001, 45009, 45033, 95000, 95004, 95007})
CURSOR_SUSPECT_AFTER = 3
#: Refusals that pass (busy, over the frequency or concurrency limit) and requests that failed on the
#: way: a send they stop is tried again later (bot/channels/wecom.py `RESEND_DELAYS_S`). A request that
#: may have reached WeCom (timeout, no answer) is among them because the retry carries the same msgid,
#: which WeCom takes once. Every other refusal (the 95xxx session and account codes, an unknown user,
#: the customer's allowance) is final.
TRANSIENT_ERRCODES = frozenset({BUSY, 45009, 45033})
TRANSIENT_REASONS = frozenset({"network", "timeout", "no_answer", "token_refresh_busy"})
#: WeCom's session states (service_state).
UNHANDLED, ASSISTANT, POOL, SERVICER, ENDED = 0, 1, 2, 3, 4


def reason_of(exc: WeChatAPIError) -> str:
    return REASONS.get(exc.errcode, exc.reason) if exc.errcode is not None else exc.reason


def transient(exc: WeChatAPIError) -> bool:
    """Whether a send refused so may be tried again later (`TRANSIENT_ERRCODES`, `TRANSIENT_REASONS`)."""
    return exc.errcode in TRANSIENT_ERRCODES if exc.errcode is not None else exc.reason in TRANSIENT_REASONS


class WeComAPI(WeChatAPI):
    def __init__(
        self, *, corp_id: str, secret: str, base_url: str, timeout_s: float, store: Store, clock: Clock,
        session: aiohttp.ClientSession | None = None,
    ) -> None:
        super().__init__(appid=corp_id, appsecret=secret, base_url=base_url, timeout_s=timeout_s, store=store,
                         clock=clock, session=session)
        self._token_key = store.keys("wecom", "token", corp_id)
        self._lock_name = ("wecom", "token-refresh", corp_id)

    async def _refresh(self) -> str:
        params = {"corpid": self.appid, "corpsecret": self._secret}
        data = await self._request("GET", "/cgi-bin/gettoken", params=params)
        token, expires_in = data.get("access_token"), data.get("expires_in")
        if not isinstance(token, str) or not token or not isinstance(expires_in, int | float):
            raise WeChatAPIError("bad_token_response")
        lifetime = max(float(expires_in) - TOKEN_MARGIN_S, float(expires_in) / 2)
        await self.store.set(self._token_key, json.dumps({"token": token, "expires_at": self.clock.time() + lifetime}),
                             ttl=lifetime)
        log.info("wecom access token refreshed, valid %.0f s", lifetime)
        return token

    async def call(self, path: str, payload: dict[str, Any]) -> dict[str, Any]:
        try:
            return await super().call(path, payload)
        except WeChatAPIError as exc:
            if exc.errcode != BUSY:
                raise
            log.info("wecom busy (%s) on %s; trying once more", exc.errcode, path)
        return await super().call(path, payload)

    # --- kf ---
    async def sync_msg(self, open_kfid: str, *, cursor: str | None, token: str | None, limit: int) -> dict[str, Any]:
        payload: dict[str, Any] = {"open_kfid": open_kfid, "limit": limit, "voice_format": 0}
        if cursor:
            payload["cursor"] = cursor
        if token:
            payload["token"] = token
        return await self.call("/cgi-bin/kf/sync_msg", payload)

    async def send(self, openid: str, msgtype: str, body: dict[str, Any], *, open_kfid: str,
                   msgid: str | None = None) -> None:
        """`send_msg` of any type (`text`, `msgmenu`)."""
        payload: dict[str, Any] = {"touser": openid, "open_kfid": open_kfid, "msgtype": msgtype, msgtype: body}
        if msgid:
            payload["msgid"] = msgid
        await self.call("/cgi-bin/kf/send_msg", payload)

    async def send_on_event(self, code: str, msgtype: str, body: dict[str, Any], *, msgid: str | None = None) -> None:
        """`send_msg_on_event`: one message (`text` or `msgmenu`) carried by an event's code (the welcome
        code, or the `msg_code` of a session state change)."""
        payload: dict[str, Any] = {"code": code, "msgtype": msgtype, msgtype: body}
        if msgid:
            payload["msgid"] = msgid
        await self.call("/cgi-bin/kf/send_msg_on_event", payload)

    async def trans(self, open_kfid: str, external_userid: str, state: int,
                    servicer_userid: str | None = None) -> str | None:
        """`service_state/trans`; returns the `msg_code` WeCom gives for the first move to state 2 or 3
        (a reply code) or to state 4 (an ending code), for `send_on_event`."""
        payload: dict[str, Any] = {"open_kfid": open_kfid, "external_userid": external_userid, "service_state": state}
        if servicer_userid:
            payload["servicer_userid"] = servicer_userid
        data = await self.call("/cgi-bin/kf/service_state/trans", payload)
        code = data.get("msg_code")
        return code if isinstance(code, str) and code else None
