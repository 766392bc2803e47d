"""WeChat's webhook protocol as pure functions: signatures, body guards, parsing, reply rendering.

Nothing here does I/O or reads a clock, so every rule is testable on its own and the channel
(`wechat.py`) only wires them to HTTP. wechatpy is used for `WeChatCrypto`.
Parsing and the passive reply are done here: wechatpy's `parse_message` (xmltodict's SAX handler,
then a message class) and `TextReply.render` cost a webhook request more than everything else in
the channel together (docs/performance.md), and a message has a handful of flat fields. The rules:

- a body is decoded as UTF-8 and refused if it declares a DOCTYPE or an ENTITY, before any parser
  sees it (XXE, billion laughs); the stdlib's expat then has no entity to expand beyond XML's five;
- the fields are the root `<xml>`'s child elements that hold only text, stripped, as xmltodict gave
  them to wechatpy: an element that is empty, repeated, has attributes or children is no field;
- text put into CDATA is not escaped by CDATA itself, so a `]]>` in a reply would end the section
  early and break the XML; `cdata_safe` splits it across two sections;
- fields are checked before they reach the database: an openid, a message id and a type must look
  like what WeChat sends, since in plaintext mode the body itself is not signed.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from xml.etree.ElementTree import fromstring

from wechatpy.crypto import WeChatCrypto
from wechatpy.exceptions import InvalidSignatureException

from bot.errors import BadRequest
from bot.events import Inbound

#: WeChat accepts this (or an empty body) as "received, no passive reply"; it then does not retry.
SUCCESS = "success"
#: Events WeChat posts about the shop's own sends (a template message's, a mass send's, a subscription
#: message's outcome), from the recipient's openid: nothing the customer did, so they are answered
#: `success` and neither handled nor recorded (no contact for retention, docs/rules.md R-RETENTION-1).
PLATFORM_REPORTS = frozenset({"templatesendjobfinish", "masssendjobfinish", "subscribe_msg_sent_event"})
#: Requests whose timestamp is further than this from our clock are refused in both modes (a replayed capture).
TIMESTAMP_WINDOW_S = 300

_FORBIDDEN_DECLARATIONS = re.compile(r"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_OPENID = re.compile(r"[A-Za-z0-9_-]{1,64}")
_MSG_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
_DIGITS = re.compile(r"\d{1,12}")
_NAME = re.compile(r"[a-z0-9_.-]{1,64}")  # MsgType and Event names
#: The fields every push carries; the rest tell one event from another (`WeChatMessage.dedupe_ids`).
_ENVELOPE = frozenset({"ToUserName", "FromUserName", "CreateTime", "MsgType", "Event"})
# Characters XML 1.0 cannot carry at all; a reply containing one would be refused by WeChat.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def signature_ok(token: str, signature: str | None, timestamp: str | None, nonce: str | None) -> bool:
    """The `signature` query parameter every request carries: sha1 of sorted token, timestamp, nonce
    (wechatpy's `check_signature`, without its signer object per request, compared in constant time)."""
    if not (signature and timestamp and nonce):
        return False
    signed = "".join(sorted((token, timestamp, nonce))).encode("utf-8", "surrogatepass")
    return hmac.compare_digest(hashlib.sha1(signed).hexdigest().encode(), signature.encode("utf-8", "surrogatepass"))


def timestamp_fresh(timestamp: str, now: float, window: float = TIMESTAMP_WINDOW_S) -> bool:
    if not _DIGITS.fullmatch(timestamp):
        return False
    return abs(int(timestamp) - now) <= window


def decode_body(body: bytes) -> str:
    """The request body as text, refused before parsing when empty, not UTF-8 or declaring entities."""
    if not body.strip():
        raise BadRequest("empty body")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise BadRequest("body is not UTF-8") from None
    guard_xml(text)
    return text


def guard_xml(text: str) -> None:
    if _FORBIDDEN_DECLARATIONS.search(text):
        raise BadRequest("DOCTYPE and ENTITY declarations are not accepted")


def decrypt(crypto: WeChatCrypto, text: str, msg_signature: str, timestamp: str, nonce: str) -> str:
    """Safe mode: check `msg_signature` over the ciphertext and decrypt it.

    A wrong signature is a 403 (someone without the token); a body that verifies but does not
    decrypt (a wrong EncodingAESKey, a mangled ciphertext, another account's appid) is a 400.
    """
    try:
        plain = crypto.decrypt_message(text, msg_signature, timestamp, nonce)
    except InvalidSignatureException:
        raise BadRequest("bad msg_signature", 403) from None
    except Exception:  # padding, base64, appid or UTF-8 errors all mean "cannot decrypt"
        raise BadRequest("cannot decrypt the message") from None
    guard_xml(plain)
    return plain


@dataclass(frozen=True, slots=True)
class WeChatMessage:
    """The fields of one pushed message that the channel needs, checked."""

    kind: str  # MsgType, lower-cased
    from_user: str
    to_user: str
    create_time: str
    msg_id: str | None
    event: str | None  # lower-cased WeChat Event
    fields: dict[str, str]  # every other top-level text field, by its WeChat name

    def get(self, name: str) -> str:
        return self.fields.get(name, "")

    @property
    def source_id(self) -> str:
        if self.kind == "event" or self.msg_id is None:
            return ":".join((self.create_time, self.event or self.kind, *self._payload_digest()))
        return self.msg_id

    def dedupe_ids(self) -> tuple[str, ...]:
        """FromUserName+MsgId for messages (MsgId alone can collide). Events have no MsgId: WeChat's docs
        have a retry recognised by FromUserName+CreateTime, a retry being the same push again; two taps
        in one second (CLICK with two EventKeys) are two events, so their Event and the digest of what
        they carry (`_payload_digest`: EventKey, Ticket, a location...) are part of the id too."""
        if self.kind == "event" or self.msg_id is None:
            return (self.from_user, self.create_time, self.event or self.kind, *self._payload_digest())
        return (self.from_user, self.msg_id)

    def _payload_digest(self) -> tuple[str, ...]:
        """A short digest of the fields beyond the envelope (none: an empty tuple, the id as before):
        bounded in length, and no EventKey (a referral code, a scene) in the id that log lines carry."""
        payload = sorted((name, value) for name, value in self.fields.items() if name not in _ENVELOPE)
        if not payload:
            return ()
        return (hashlib.sha256(repr(payload).encode("utf-8")).hexdigest()[:12],)


def parse(xml: str) -> WeChatMessage:
    """Parse a (decrypted, guarded) message; anything malformed or incomplete is a 400."""
    fields = text_fields(xml)
    if "MsgType" not in fields:
        raise BadRequest("MsgType is missing")
    kind = fields["MsgType"].lower()
    from_user = fields.get("FromUserName", "")
    if not from_user:
        raise BadRequest("FromUserName and MsgType are required")
    if not _OPENID.fullmatch(from_user):
        raise BadRequest("FromUserName is not an openid")
    if not _NAME.fullmatch(kind):
        raise BadRequest("MsgType is not a message type")
    create_time = fields.get("CreateTime", "0")
    if not _DIGITS.fullmatch(create_time):
        raise BadRequest("CreateTime must be a number")
    msg_id = fields.get("MsgId")
    if msg_id is not None and not _MSG_ID.fullmatch(msg_id):
        raise BadRequest("MsgId is not an id")
    event = _event_name(fields) if kind == "event" else None
    return WeChatMessage(kind, from_user, fields.get("ToUserName", ""), create_time, msg_id, event, fields)


def text_fields(xml: str) -> dict[str, str]:
    """The root `<xml>`'s text-only child elements by name, stripped; empty ones left out."""
    children = flat_children(xml)
    if children is None:
        children = parsed_children(xml)
    if len({name for name, _ in children}) == len(children):  # no name repeated (every message WeChat sends)
        return {name: stripped for name, text in children if text is not None and (stripped := text.strip())}
    fields: dict[str, str] = {}
    seen: set[str] = set()
    for name, text in children:
        if name in seen:  # repeated: a list, not a field
            fields.pop(name, None)
            continue
        seen.add(name)
        if text is not None and (text := text.strip()):
            fields[name] = text
    return fields


def parsed_children(xml: str) -> list[tuple[str, str | None]]:
    """The root's children as (name, text), None for one that is no field (attributes or children),
    by expat: any XML at all."""
    try:
        root = fromstring(xml)
    except Exception:  # expat errors, an empty document, text outside the root
        raise BadRequest("malformed XML") from None
    if root.tag != "xml":
        raise BadRequest("malformed XML")
    return [(child.tag, None if child.attrib or len(child) else child.text or "") for child in root]


# What WeChat sends: `<xml>` holding flat elements, each a CDATA section or plain text without
# entities, whitespace between them. Such a document reads the same as through expat (`parsed_children`)
# at a fraction of the cost (building a parser per request was most of it); anything else, malformed
# XML included, goes to expat. Carriage returns (which XML turns into line feeds, even in CDATA) and
# characters XML cannot carry are left to expat too.
_FLAT_DOCUMENT = re.compile(r"[ \t\n]*<xml>(.*)</xml>[ \t\n]*", re.DOTALL)
_FLAT_CHILD = re.compile(
    r"[ \t\n]*<([A-Za-z_][A-Za-z0-9_]*)>(?:([ \t\n]*)<!\[CDATA\[(.*?)\]\]>([ \t\n]*)|([^<&\]\r]*))</\1>",
    re.DOTALL)
_LEFT_TO_EXPAT = re.compile("[\r\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def flat_children(xml: str) -> list[tuple[str, str]] | None:
    """`parsed_children` of a document in WeChat's flat shape, or None for any other document."""
    document = _FLAT_DOCUMENT.fullmatch(xml)
    if document is None or _LEFT_TO_EXPAT.search(xml):
        return None
    inner, position, children = document[1], 0, []
    append = children.append
    for child in iter(_FLAT_CHILD.scanner(inner).match, None):  # each child where the one before ended
        name, before, cdata, after, plain = child.groups()
        if cdata is None:
            append((name, plain))
        elif "]]>" in cdata:  # a section that ended early: text after it, for expat
            return None
        else:  # the whitespace around the section is text too
            append((name, before + cdata + after))
        position = child.end()
    if inner[position:].strip(" \t\n"):
        return None
    return children


def _event_name(fields: dict[str, str]) -> str:
    event = fields.get("Event", "").lower()
    if not event:
        raise BadRequest("an event needs Event")
    if not _NAME.fullmatch(event):
        raise BadRequest("Event is not an event name")
    return event


#: Extra fields kept per message type, as (Inbound.extra name, WeChat field).
_EXTRA = {
    "image": (("media_id", "MediaId"),),
    "voice": (("media_id", "MediaId"), ("format", "Format")),
    "video": (("media_id", "MediaId"), ("thumb_media_id", "ThumbMediaId")),
    "shortvideo": (("media_id", "MediaId"), ("thumb_media_id", "ThumbMediaId")),
    "location": (("latitude", "Location_X"), ("longitude", "Location_Y"), ("scale", "Scale"), ("label", "Label")),
    "link": (("title", "Title"), ("description", "Description"), ("url", "Url")),
    "event": (("latitude", "Latitude"), ("longitude", "Longitude"), ("precision", "Precision"),
              ("ticket", "Ticket"), ("menu_id", "MenuId")),
}
#: The text a non-text message carries into the record (the dispatcher classifies only kind "text").
_TEXT_FIELD = {"text": "Content", "location": "Label", "link": "Title"}


def to_inbound(message: WeChatMessage, received_at: datetime) -> Inbound:
    """The channel-neutral `Inbound`; recognised speech becomes a text message marked as voice."""
    kind, get = message.kind[:24], message.fields.get  # `message.get`, without a method call per field
    extra: dict[str, Any] = {name: value for name, wx in _EXTRA.get(message.kind, ()) if (value := get(wx, ""))}
    text = get(_TEXT_FIELD.get(message.kind, ""), "")
    if message.kind == "voice" and get("Recognition", "").strip():
        kind, text, extra["voice"] = "text", get("Recognition", "").strip(), True
    return Inbound(
        channel="wechat", user_id=message.from_user, kind=kind, received_at=received_at, text=text,
        source_id=message.source_id, event=message.event, event_key=get("EventKey") or None,
        media_url=get("PicUrl") or None, extra=extra,
    )


def cdata_safe(text: str) -> str:
    """Text that can sit inside `<![CDATA[...]]>`: `]]>` split over two sections, invalid chars dropped."""
    return _XML_INVALID.sub("", text).replace("]]>", "]]]]><![CDATA[>")


def render_text(message: WeChatMessage, text: str, now: int) -> str:
    """A passive text reply to `message` (the layout of wechatpy's `TextReply`, `]]>` made safe; the
    openid was checked by `parse`)."""
    return (f"<xml>\n<MsgType><![CDATA[text]]></MsgType>\n<Content><![CDATA[{cdata_safe(text)}]]></Content>\n"
            f"<FromUserName><![CDATA[{cdata_safe(message.to_user)}]]></FromUserName>\n"
            f"<ToUserName><![CDATA[{message.from_user}]]></ToUserName>\n<CreateTime>{int(now)}</CreateTime>\n</xml>")


def render_reply(
    message: WeChatMessage, text: str | None, now: int, crypto: WeChatCrypto | None, nonce: str
) -> str:
    """The body to answer with: `success` when there is nothing to say, else the (encrypted) reply."""
    if not text:
        return SUCCESS
    xml = render_text(message, text, now)
    if crypto is None:
        return xml
    return crypto.encrypt_message(xml, nonce, str(now))
