"""`FakeWeCom`: WeCom 微信客服 as a real aiohttp server on 127.0.0.1:0, and the customers who write to it.

It keeps what WeCom keeps and answers the way WeCom answers (HTTP 200, `errcode` in the body):

- `GET /cgi-bin/gettoken`: corp id + kf secret give a token (`expires_in`), counted (a wrong secret
  40001, a wrong corp id 40013); tokens can be invalidated (40014) or expired (42001) by the test;
- `refuse_next` holds errcodes the next `send_msg` calls answer before anything else (-1 busy...);
  `drop_answers` is how many of the next accepted `send_msg` calls lose their answer (the connection
  closes after the message was taken, as a network failure on the way back);
- customers write (`customer_says`, `enter_session`): each item gets a msgid and goes into the kf
  account's message log; `notify(bot_url, open_kfid)` then POSTs the encrypted `kf_msg_or_event`
  callback (wechatpy's `WeChatCrypto` with the corp id), carrying a sync token valid 10 minutes;
- `POST /cgi-bin/kf/sync_msg`: pages of at most `limit` items after the cursor, `has_more`,
  `next_cursor`; a cursor from before `expire_cursors()` answers 50100 (WeCom's invalid paging
  cursor), an unknown or old sync token 95007 (invalid msgtoken), `refuse_sync` errcodes answered
  before anything else; without a cursor it starts from the oldest kept message;
- `POST /cgi-bin/kf/send_msg`: at most 5 messages within 48 h of the customer's last message
  (95001 beyond), only in session state 0 or 1 (95018 otherwise; sending in state 0 moves it to
  1), text up to 2,048 bytes (45002); `msgmenu` checked like WeCom (`menu_errcode`: head and tail
  text at most 1,024 bytes, at most 10 items, a click item's id 1-64 bytes and label 1-128 bytes);
  a msgid already accepted is not delivered twice; `customer_clicks` is the customer tapping a
  menu item (a text message with `menu_id`);
- `POST /cgi-bin/kf/send_msg_on_event`: a text or a `msgmenu` (checked like `send_msg`'s) with an
  event code: the welcome code of `enter_session`, or the `msg_code` of a state change (the first
  move to state 2 or 3: a reply code; to state 4: an ending code). A code works once, within 20 s
  of its event on the fake's clock, and a state change's code only while the session is still in
  the state it was issued for (`BAD_CODE` otherwise);
- `POST /cgi-bin/kf/service_state/get|trans`: the session state per customer, changed only as
  WeCom's state table allows (0 → 1, 2, 3; 1 → 2, 3; 2 → 3; 3 → 3 (another servicer), 4; nothing
  from 4: 95016 otherwise); moving to state 3 needs a known servicer; a customer writing in state
  4 starts a new session in state 0; `servicer_ends` is the servicer ending it in the WeCom app
  (state 4, `session_status_change` with change type 3 and an ending code);
  `fail_delivery` reports an accepted message as undelivered (`msg_send_fail`).
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import xmltodict
from aiohttp import web
from aiohttp.test_utils import TestServer
from wechatpy.crypto import PrpCrypto, WeChatCrypto

from bot.channels.wecom_protocol import signature
from bot.clock import Clock, SystemClock

CORP_ID = "ww0123456789abcdef"
KF_SECRET = "fake-kf-secret-0123"
TOKEN = "wecomtoken01"
AES_KEY = "ZYXWVUTSRQPONMLKJIHGFEDCBAzyxwvutsrqpon0123"
OPEN_KFID = "wkAbCdEf0123456789"
SERVICER = "zhangsan"
#: The fake's answer to a welcome code that is unknown, used or older than 20 s.
BAD_CODE = 95014
WELCOME_CODE_S, SYNC_TOKEN_S = 20.0, 600.0
QUOTA, QUOTA_WINDOW_S = 5, 48 * 3600.0
UNKNOWN_PATH_ERRCODE = 99404
#: WeCom's global error table: an invalid paging cursor, an invalid sync token (msgtoken).
INVALID_CURSOR, INVALID_SYNC_TOKEN = 50100, 95007
#: The fake's answers to a malformed `msgmenu` (a bad field) and an over-long one.
INVALID_PARAMETER, TOO_LONG = 40058, 45002
#: WeCom's service states and the changes `service_state/trans` allows from each (its state table).
TRANSITIONS = {0: {1, 2, 3}, 1: {2, 3}, 2: {3}, 3: {3, 4}, 4: set()}
STATE_CHANGE_REFUSED = 95016
#: `msgmenu` item types and, per field, its (min, max) UTF-8 bytes.
MENU_ITEM_FIELDS = {
    "click": {"id": (1, 64), "content": (1, 128)},
    "view": {"url": (1, 2048), "content": (1, 1024)},
    "miniprogram": {"appid": (1, 32), "pagepath": (1, 1024), "content": (1, 1024)},
}
MENU_TEXT_BYTES, MENU_ITEMS = 1024, 10


def _bytes(value: object) -> int:
    return len(value.encode("utf-8")) if isinstance(value, str) else -1


def menu_errcode(menu: object) -> int:
    """0 when `menu` is a `msgmenu` WeCom accepts, else the fake's refusal."""
    if not isinstance(menu, dict) or not isinstance(menu.get("list"), list):
        return INVALID_PARAMETER
    for name in ("head_content", "tail_content"):
        if name in menu and not 0 <= _bytes(menu[name]) <= MENU_TEXT_BYTES:
            return TOO_LONG if _bytes(menu[name]) > MENU_TEXT_BYTES else INVALID_PARAMETER
    if len(menu["list"]) > MENU_ITEMS:
        return INVALID_PARAMETER
    for item in menu["list"]:
        kind = item.get("type") if isinstance(item, dict) else None
        fields = MENU_ITEM_FIELDS.get(kind) if isinstance(kind, str) else None
        if fields is None or not isinstance(item.get(kind), dict):
            return INVALID_PARAMETER
        for name, (low, high) in fields.items():
            if not low <= _bytes(item[kind].get(name)) <= high:
                return INVALID_PARAMETER
    return 0


@dataclass
class Sent:
    """One send as the fake saw it, with its answer."""

    path: str
    user: str
    open_kfid: str
    content: str
    errcode: int
    payload: dict[str, Any] = field(default_factory=dict)

    @property
    def clicks(self) -> list[dict[str, str]]:
        """A menu's click items ({"id", "content"}), in order; [] for a text."""
        menu = self.payload.get("msgmenu") if self.payload.get("msgtype") == "msgmenu" else None
        return [item["click"] for item in (menu or {}).get("list", []) if item.get("type") == "click"]


@dataclass
class EventCode:
    """A code for `send_msg_on_event`: whose session, when, and the state it is good in (None: the
    welcome code, good in any state)."""

    user: str
    open_kfid: str
    issued: float
    state: int | None = None
    used: bool = False


@dataclass
class Quota:
    left: int
    ends: float


class FakeWeCom:
    def __init__(self, *, clock: Clock | None = None, expires_in: int = 7200) -> None:
        self.clock: Clock = clock or SystemClock()
        self.corp_id, self.secret, self.token, self.aes_key = CORP_ID, KF_SECRET, TOKEN, AES_KEY
        self.servicers = {SERVICER}
        self.expires_in = expires_in
        self.crypto = WeChatCrypto(TOKEN, AES_KEY, CORP_ID)
        self.log: dict[str, list[dict[str, Any]]] = {}  # open_kfid -> items in arrival order
        self.states: dict[tuple[str, str], int] = {}  # (open_kfid, user) -> service_state
        self.quotas: dict[str, Quota] = {}
        self.sent: list[Sent] = []
        self.trans_calls: list[tuple[str, int, str | None]] = []
        self.sync_calls: list[dict[str, Any]] = []
        self.token_calls = 0
        self._tokens: dict[str, str] = {}
        self._sync_tokens: dict[str, float] = {}
        self._codes: dict[str, EventCode] = {}
        self._accepted_msgids: set[str] = set()
        self.refuse_next: list[int] = []
        self.drop_answers = 0
        self.refuse_sync: list[int] = []
        self._cursor_generation = 0
        self._serial = itertools.count(1)
        self._server: TestServer | None = None

    # --- customers ---
    def _append(self, open_kfid: str, item: dict[str, Any]) -> str:
        msgid = item.setdefault("msgid", f"MSG{next(self._serial):08d}")
        item.setdefault("open_kfid", open_kfid)
        item.setdefault("send_time", int(self.clock.time()))
        self.log.setdefault(open_kfid, []).append(item)
        return msgid

    def customer_says(self, user: str, text: str = "", *, msgtype: str = "text", body: dict[str, Any] | None = None,
                      open_kfid: str = OPEN_KFID, msgid: str | None = None) -> str:
        """A customer message: logged for sync; it restores the 5-per-48 h allowance and reopens an
        ended session (state 0)."""
        item: dict[str, Any] = {"external_userid": user, "origin": 3, "msgtype": msgtype,
                                msgtype: body if body is not None else {"content": text}}
        if msgid:
            item["msgid"] = msgid
        self.quotas[user] = Quota(QUOTA, self.clock.time() + QUOTA_WINDOW_S)
        if self.states.get((open_kfid, user), 0) == 4:
            self.states[(open_kfid, user)] = 0
        return self._append(open_kfid, item)

    def customer_clicks(self, sent: Sent, index: int) -> str:
        """The customer taps item `index` of a menu they received: WeCom logs a text message with the
        item's label as content and its id as `menu_id`."""
        click = sent.clicks[index]
        return self.customer_says(sent.user, msgtype="text", body={"content": click["content"], "menu_id": click["id"]},
                                  open_kfid=sent.open_kfid)

    def enter_session(self, user: str, scene_param: str = "", open_kfid: str = OPEN_KFID) -> str:
        """The customer opened the chat: an `enter_session` event with a fresh welcome code, returned."""
        code = self._issue(user, open_kfid, None, "WELCOME")
        event = {"event_type": "enter_session", "open_kfid": open_kfid, "external_userid": user, "scene": "qr",
                 "scene_param": scene_param, "welcome_code": code}
        self._append(open_kfid, {"origin": 4, "msgtype": "event", "event": event})
        return code

    def _issue(self, user: str, open_kfid: str, state: int | None, prefix: str = "MSGCODE") -> str:
        code = f"{prefix}{next(self._serial):06d}"
        self._codes[code] = EventCode(user, open_kfid, self.clock.time(), state)
        return code

    def servicer_ends(self, user: str, open_kfid: str = OPEN_KFID) -> None:
        self.states[(open_kfid, user)] = 4
        event = {"event_type": "session_status_change", "open_kfid": open_kfid, "external_userid": user,
                 "change_type": 3, "old_servicer_userid": SERVICER, "msg_code": self._issue(user, open_kfid, 4)}
        self._append(open_kfid, {"origin": 4, "msgtype": "event", "event": event})

    def fail_delivery(self, sent: Sent, fail_type: int = 1) -> None:
        """A message WeCom accepted could not reach the customer: a `msg_send_fail` event names its msgid."""
        event = {"event_type": "msg_send_fail", "open_kfid": sent.open_kfid, "external_userid": sent.user,
                 "fail_msgid": sent.payload.get("msgid", ""), "fail_type": fail_type}
        self._append(sent.open_kfid, {"origin": 4, "msgtype": "event", "event": event})

    def expire_cursors(self) -> None:
        self._cursor_generation += 1

    def invalidate_tokens(self) -> None:
        self._tokens = dict.fromkeys(self._tokens, "invalid")

    def expire_tokens(self) -> None:
        self._tokens = dict.fromkeys(self._tokens, "expired")

    # --- callbacks ---
    def callback_request(
        self, open_kfid: str = OPEN_KFID, *, timestamp: int | None = None
    ) -> tuple[dict[str, str], bytes]:
        sync_token = f"SYNC{next(self._serial):06d}"
        self._sync_tokens[sync_token] = self.clock.time()
        xml = (f"<xml><ToUserName><![CDATA[{self.corp_id}]]></ToUserName><CreateTime>{int(self.clock.time())}"
               f"</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[kf_msg_or_event]]></Event>"
               f"<Token><![CDATA[{sync_token}]]></Token><OpenKfId><![CDATA[{open_kfid}]]></OpenKfId></xml>")
        ts, nonce = str(int(self.clock.time()) if timestamp is None else timestamp), str(next(self._serial))
        envelope = xmltodict.parse(self.crypto.encrypt_message(xml, nonce, ts))["xml"]
        body = (f"<xml><ToUserName><![CDATA[{self.corp_id}]]></ToUserName><Encrypt><![CDATA[{envelope['Encrypt']}]]>"
                f"</Encrypt><AgentID><![CDATA[]]></AgentID></xml>")
        return {"msg_signature": envelope["MsgSignature"], "timestamp": ts, "nonce": nonce}, body.encode()

    async def notify(self, url: str, open_kfid: str = OPEN_KFID, **kw: Any) -> int:
        """POST the callback to the bot; returns the HTTP status."""
        params, body = self.callback_request(open_kfid, **kw)
        async with aiohttp.ClientSession() as session, session.post(url, params=params, data=body) as response:
            return response.status

    def verify_params(self, echo: str, *, token: str | None = None) -> dict[str, str]:
        """The query of WeCom's URL check (signed with `token`, ours unless given)."""
        ts, nonce = str(int(self.clock.time())), str(next(self._serial))
        echostr = PrpCrypto(self.crypto.key).encrypt(echo, self.corp_id)
        echostr = echostr.decode() if isinstance(echostr, bytes) else echostr
        return {"msg_signature": signature(token or self.token, ts, nonce, echostr), "timestamp": ts,
                "nonce": nonce, "echostr": echostr}

    # --- inspection ---
    def delivered(self, user: str | None = None) -> list[Sent]:
        return [s for s in self.sent if s.errcode == 0 and (user is None or s.user == user)]

    def texts_to(self, user: str) -> list[str]:
        return [s.content for s in self.delivered(user)]

    # --- server ---
    @property
    def url(self) -> str:
        assert self._server is not None, "FakeWeCom not started"
        return str(self._server.make_url("")).rstrip("/")

    async def __aenter__(self) -> FakeWeCom:
        app = web.Application()
        app.router.add_get("/cgi-bin/gettoken", self._gettoken)
        for path, handler in (("sync_msg", self._sync_msg), ("send_msg", self._send_msg),
                              ("send_msg_on_event", self._send_on_event), ("service_state/get", self._state_get),
                              ("service_state/trans", self._trans)):
            app.router.add_post(f"/cgi-bin/kf/{path}", handler)
        app.router.add_route("*", "/{tail:.*}", self._unknown)
        self._server = TestServer(app, host="127.0.0.1", port=0)
        await self._server.start_server()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        if self._server is not None:
            await self._server.close()
            self._server = None

    # --- endpoints ---
    async def _gettoken(self, request: web.Request) -> web.Response:
        self.token_calls += 1
        if request.query.get("corpid") != self.corp_id or request.query.get("corpsecret") != self.secret:
            return _error(40013 if request.query.get("corpid") != self.corp_id else 40001, "invalid corpid or secret")
        token = f"WTOKEN-{next(self._serial)}"
        self._tokens[token] = "valid"
        return web.json_response({"errcode": 0, "errmsg": "ok", "access_token": token, "expires_in": self.expires_in})

    async def _body(self, request: web.Request) -> tuple[int, dict[str, Any]]:
        state = self._tokens.get(request.query.get("access_token", ""))
        if state != "valid":
            return (42001 if state == "expired" else 40014), {}
        try:
            payload = json.loads(await request.read())
        except ValueError:
            return 47001, {}
        return (0, payload) if isinstance(payload, dict) else (47001, {})

    async def _sync_msg(self, request: web.Request) -> web.Response:
        errcode, payload = await self._body(request)
        if errcode:
            return _error(errcode)
        self.sync_calls.append(payload)
        if self.refuse_sync:
            return _error(self.refuse_sync.pop(0))
        open_kfid = str(payload.get("open_kfid") or "")
        token = payload.get("token")
        if token is not None and self.clock.time() - self._sync_tokens.get(token, -1e12) > SYNC_TOKEN_S:
            return _error(INVALID_SYNC_TOKEN, "invalid msg token")
        start = 0
        if payload.get("cursor"):
            generation, _, offset = str(payload["cursor"]).partition(".")
            if generation != f"G{self._cursor_generation}" or not offset.isdigit():
                return _error(INVALID_CURSOR, "invalid cursor")
            start = int(offset)
        limit = max(1, min(int(payload.get("limit") or 1000), 1000))
        items = self.log.get(open_kfid, [])
        page = items[start:start + limit]
        end = start + len(page)
        return web.json_response({"errcode": 0, "errmsg": "ok", "next_cursor": f"G{self._cursor_generation}.{end}",
                                  "has_more": int(end < len(items)), "msg_list": page})

    async def _send_msg(self, request: web.Request) -> web.Response:
        errcode, payload = await self._body(request)
        if not errcode and self.refuse_next:
            errcode = self.refuse_next.pop(0)
        user, open_kfid = str(payload.get("touser") or ""), str(payload.get("open_kfid") or "")
        content, errcode = _content(payload, errcode)
        msgid = str(payload.get("msgid") or "")
        if not errcode and msgid and msgid in self._accepted_msgids:
            return web.json_response({"errcode": 0, "errmsg": "ok", "msgid": msgid})  # idempotent: not again
        if not errcode:
            errcode = self._send_errcode(user, open_kfid, content)
        self.sent.append(Sent("send_msg", user, open_kfid, content, errcode, payload))
        if errcode:
            return _error(errcode)
        msgid = msgid or f"SENT{next(self._serial)}"
        self._accepted_msgids.add(msgid)
        if self.drop_answers > 0 and request.transport is not None:  # taken; the answer breaks off midway
            self.drop_answers -= 1
            response = web.StreamResponse(headers={"Content-Type": "application/json", "Content-Length": "64"})
            await response.prepare(request)
            await response.write(b'{"errcode": 0')
            request.transport.close()
            return response
        return web.json_response({"errcode": 0, "errmsg": "ok", "msgid": msgid})

    def _send_errcode(self, user: str, open_kfid: str, content: str) -> int:
        if not user or open_kfid not in self.log:
            return 40096 if not user else 95000
        if len(content.encode("utf-8")) > 2048:
            return 45002
        state = self.states.get((open_kfid, user), 0)
        if state not in (0, 1):
            return 95018
        quota = self.quotas.get(user)
        if quota is None or self.clock.time() >= quota.ends or quota.left <= 0:
            return 95001
        quota.left -= 1
        self.states[(open_kfid, user)] = 1
        return 0

    async def _send_on_event(self, request: web.Request) -> web.Response:
        errcode, payload = await self._body(request)
        code = str(payload.get("code") or "")
        event_code = self._codes.get(code)
        content, errcode = _content(payload, errcode)
        if not errcode:
            errcode = self._code_errcode(event_code)
        if not errcode and len(content.encode("utf-8")) > 2048:
            errcode = TOO_LONG
        if not errcode and event_code is not None:
            event_code.used = True
        user, open_kfid = (event_code.user, event_code.open_kfid) if event_code else ("", "")
        self.sent.append(Sent("send_msg_on_event", user, open_kfid, content, errcode, payload))
        return _error(errcode) if errcode else web.json_response({"errcode": 0, "errmsg": "ok", "msgid": code})

    def _code_errcode(self, code: EventCode | None) -> int:
        """0 when the code may carry a message now: once, within 20 s, in the state it was issued for."""
        if code is None or code.used or self.clock.time() - code.issued > WELCOME_CODE_S:
            return BAD_CODE
        if code.state is not None and self.states.get((code.open_kfid, code.user), 0) != code.state:
            return BAD_CODE
        return 0

    async def _state_get(self, request: web.Request) -> web.Response:
        errcode, payload = await self._body(request)
        if errcode:
            return _error(errcode)
        key = (str(payload.get("open_kfid")), str(payload.get("external_userid")))
        servicer = SERVICER if self.states.get(key) == 3 else ""
        return web.json_response({"errcode": 0, "errmsg": "ok", "service_state": self.states.get(key, 0),
                                  "servicer_userid": servicer})

    async def _trans(self, request: web.Request) -> web.Response:
        errcode, payload = await self._body(request)
        if errcode:
            return _error(errcode)
        key = (str(payload.get("open_kfid")), str(payload.get("external_userid")))
        state, servicer = int(payload.get("service_state", -1)), payload.get("servicer_userid")
        current = self.states.get(key, 0)
        if state not in TRANSITIONS[current] or (state == 3 and servicer not in self.servicers):
            return _error(STATE_CHANGE_REFUSED, "invalid service state transition")
        self.trans_calls.append((key[1], state, servicer))
        self.states[key] = state
        answer: dict[str, Any] = {"errcode": 0, "errmsg": "ok"}
        if state == 4 or (state in (2, 3) and current in (0, 1)):  # an ending code, or the first reply code
            answer["msg_code"] = self._issue(key[1], key[0], state)
        return web.json_response(answer)

    async def _unknown(self, request: web.Request) -> web.Response:
        return _error(UNKNOWN_PATH_ERRCODE, f"fake wecom: no such API {request.path}")


def _content(payload: dict[str, Any], errcode: int) -> tuple[str, int]:
    """What a send shows the customer (a text, or a menu's head), and the refusal it earns: a menu
    WeCom would refuse, or a message type the fake does not take (send_msg and send_msg_on_event alike)."""
    msgtype = payload.get("msgtype")
    if msgtype == "text":
        return str((payload.get("text") or {}).get("content", "")), errcode
    if msgtype == "msgmenu":
        menu = payload.get("msgmenu")
        head = str(menu.get("head_content", "")) if isinstance(menu, dict) else ""
        return head, errcode or menu_errcode(menu)
    return "", errcode or 40008


def _error(errcode: int, errmsg: str = "fake wecom refusal") -> web.Response:
    return web.json_response({"errcode": errcode, "errmsg": errmsg})

