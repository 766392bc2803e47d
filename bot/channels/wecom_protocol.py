"""WeCom 微信客服's callback and message formats as pure functions (docs/wecom.md).

The callback is the Official Account's safe mode with the corp id as receive id, so wechatpy's
`WeChatCrypto`/`PrpCrypto` do the AES part; the guards (entity declarations, field shapes) are
`wechat_protocol`'s. A callback carries no message, only `kf_msg_or_event` with a short-lived
`Token` and the `OpenKfId` to sync; the messages come from `sync_msg` as JSON and are mapped here
to the dispatcher's `Inbound`. Nothing here does I/O or reads a clock.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import xmltodict
from wechatpy.crypto import PrpCrypto, WeChatCrypto
from wechatpy.utils import WeChatSigner

from bot.channels.wechat_protocol import decode_body, decrypt, guard_xml
from bot.errors import BadRequest
from bot.events import Choice, Inbound

CHANNEL = "wecom"
KF_EVENT = "kf_msg_or_event"
_ID = re.compile(r"[A-Za-z0-9_-]{1,128}")
#: `origin` of a synced message: 3 the customer, 4 a system event, 5 a servicer in the WeCom app.
CUSTOMER, SYSTEM, SERVICER_ORIGIN = 3, 4, 5
#: A menu item's id is this prefix and the answer it stands for, so a click reads exactly like the
#: typed answer; ids of menus set up elsewhere (not ours) are left as they are.
CHOICE_ID = "pick:"
#: `msgmenu` limits (UTF-8 bytes, docs/wecom.md): head and tail text, items, an item's id and label.
MENU_TEXT_BYTES, MENU_ITEMS, MENU_ID_BYTES, MENU_LABEL_BYTES = 1024, 10, 64, 128


def signature(token: str, *parts: str) -> str:
    signer = WeChatSigner()
    signer.add_data(token, *parts)
    return signer.signature


def verify_url(crypto: WeChatCrypto, token: str, query: Any) -> str:
    """The plain `echostr` to answer WeCom's URL check with; 403 when the signature is not ours."""
    msg_signature, timestamp, nonce, echostr = (query.get(name) for name in ("msg_signature", "timestamp", "nonce",
                                                                             "echostr"))
    if not (msg_signature and timestamp and nonce and echostr):
        raise BadRequest("msg_signature, timestamp, nonce and echostr are required", 403)
    if signature(token, timestamp, nonce, echostr) != msg_signature:
        raise BadRequest("bad msg_signature", 403)
    try:
        plain = PrpCrypto(crypto.key).decrypt(echostr, crypto.app_id)
    except Exception:  # base64, padding or another corp's id
        raise BadRequest("cannot decrypt echostr") from None
    return plain.decode("utf-8") if isinstance(plain, bytes) else str(plain)


@dataclass(frozen=True, slots=True)
class Callback:
    token: str | None
    open_kfid: str


def read_callback(crypto: WeChatCrypto, body: bytes, query: Any) -> Callback:
    """The decrypted `kf_msg_or_event` notice; anything else is a 400, a bad signature a 403."""
    msg_signature, timestamp, nonce = query.get("msg_signature"), query.get("timestamp"), query.get("nonce")
    if not (msg_signature and timestamp and nonce):
        raise BadRequest("msg_signature, timestamp and nonce are required", 403)
    plain = decrypt(crypto, decode_body(body), msg_signature, timestamp, nonce)
    guard_xml(plain)
    try:
        fields = xmltodict.parse(plain)["xml"] or {}
    except Exception:
        raise BadRequest("malformed XML") from None
    if not isinstance(fields, dict) or str(fields.get("Event", "")).lower() != KF_EVENT:
        raise BadRequest("not a kf_msg_or_event callback")
    open_kfid, token = str(fields.get("OpenKfId") or ""), fields.get("Token")
    if not _ID.fullmatch(open_kfid):
        raise BadRequest("OpenKfId is missing or malformed")
    return Callback(str(token) if token else None, open_kfid)


@dataclass(frozen=True, slots=True)
class KfMessage:
    """One `msg_list` item, checked: who, which kf account, its id and its body."""

    msgid: str
    open_kfid: str
    user: str  # external_userid
    origin: int
    msgtype: str
    send_time: int
    body: dict[str, Any]

    @property
    def event_type(self) -> str | None:
        return str(self.body.get("event_type") or "") or None if self.msgtype == "event" else None


def parse_item(item: Any, open_kfid: str) -> KfMessage | None:
    """A synced item, or None when it is malformed (skipped, never fatal to the page)."""
    if not isinstance(item, dict):
        return None
    msgtype = str(item.get("msgtype") or "")
    body = item.get(msgtype) if isinstance(item.get(msgtype), dict) else {}
    msgid = str(item.get("msgid") or "")
    user = str(item.get("external_userid") or body.get("external_userid") or "")
    if not (_ID.fullmatch(msgid) and re.fullmatch(r"[a-z_]{1,32}", msgtype)):
        return None
    if user and not _ID.fullmatch(user):
        return None
    try:
        origin, send_time = int(item.get("origin") or 0), int(item.get("send_time") or 0)
    except (TypeError, ValueError):
        return None
    return KfMessage(msgid, str(item.get("open_kfid") or open_kfid), user, origin, msgtype, send_time, body)


#: (Inbound.extra name, field) kept per message type, and the field that becomes the text.
_EXTRA: dict[str, tuple[tuple[str, str], ...]] = {
    "image": (("media_id", "media_id"),),
    "voice": (("media_id", "media_id"),),
    "video": (("media_id", "media_id"),),
    "file": (("media_id", "media_id"),),
    "location": (("latitude", "latitude"), ("longitude", "longitude"), ("name", "name"), ("address", "address")),
    "link": (("title", "title"), ("description", "desc"), ("url", "url"), ("pic_url", "pic_url")),
    "business_card": (("userid", "userid"),),
    "miniprogram": (("title", "title"), ("appid", "appid"), ("pagepath", "pagepath"),
                    ("thumb_media_id", "thumb_media_id")),
    "event": (("scene", "scene"), ("welcome_code", "welcome_code"), ("fail_msgid", "fail_msgid"),
              ("fail_type", "fail_type"), ("servicer_userid", "servicer_userid"), ("status", "status"),
              ("change_type", "change_type"), ("new_servicer_userid", "new_servicer_userid"),
              ("old_servicer_userid", "old_servicer_userid")),
}
_TEXT_FIELD = {"text": "content", "location": "name", "link": "title", "miniprogram": "title"}


def _size(text: str) -> int:
    return len(text.encode("utf-8"))


def _cut(text: str, limit: int) -> str:
    """At most `limit` UTF-8 bytes of `text`, cut at a character boundary."""
    return text.encode("utf-8")[:limit].decode("utf-8", errors="ignore")


def menu(text: str, choices: tuple[Choice, ...] | list[Choice]) -> dict[str, Any] | None:
    """The `msgmenu` body that shows `text` with a click item per choice, or None when WeCom's limits
    cannot hold it (the text then goes alone: its wording names the answers). A label too long for a
    button is shortened; an answer too long for an item id cannot be a button."""
    if not choices or len(choices) > MENU_ITEMS or _size(text) > MENU_TEXT_BYTES:
        return None
    items = []
    for choice in choices:
        item_id = CHOICE_ID + choice.reply
        label = _cut(choice.shown.strip(), MENU_LABEL_BYTES)
        if not choice.reply.strip() or _size(item_id) > MENU_ID_BYTES or not label:
            return None
        items.append({"type": "click", "click": {"id": item_id, "content": label}})
    return {"head_content": text, "list": items}


def message_body(text: str, choices: tuple[Choice, ...]) -> tuple[str, dict[str, Any]]:
    """(msgtype, body) of a message to send: a `msgmenu` when the choices fit WeCom's menu, else text."""
    body = menu(text, choices)
    return ("msgmenu", body) if body is not None else ("text", {"content": text})


def send_msgid(source_id: str) -> str:
    """`send_msg`'s idempotency msgid for a stored message: 32 characters of [0-9a-f] (WeCom allows
    at most 32 of [0-9a-zA-Z_-]; stored ids hold ':')."""
    return hashlib.sha256(source_id.encode("utf-8")).hexdigest()[:32]


def to_inbound(message: KfMessage, received_at: datetime) -> Inbound:
    """The channel-neutral `Inbound`: a menu click is a text with `extra["menu_id"]`, and a click on
    one of our choices reads as the answer it stands for (what the customer would have typed); an
    event keeps its `event_type` as the event and the entry's `scene_param` as the event key."""
    body = message.body
    extra: dict[str, Any] = {name: body[field] for name, field in _EXTRA.get(message.msgtype, ()) if body.get(field)}
    extra["open_kfid"] = message.open_kfid
    text = str(body.get(_TEXT_FIELD.get(message.msgtype, ""), "") or "")
    if message.msgtype == "text" and body.get("menu_id"):
        menu_id = extra["menu_id"] = str(body["menu_id"])
        if menu_id.startswith(CHOICE_ID) and len(menu_id) > len(CHOICE_ID):
            text = menu_id[len(CHOICE_ID):]
    if message.msgtype == "location" and not text:
        text = str(body.get("address") or "")
    return Inbound(
        channel=CHANNEL, user_id=message.user, kind=message.msgtype[:24], received_at=received_at, text=text,
        source_id=message.msgid, event=message.event_type,
        event_key=str(body.get("scene_param") or "") or None if message.msgtype == "event" else None, extra=extra,
    )
