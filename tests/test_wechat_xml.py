"""WeChat's flat XML read without expat (`wechat_protocol.flat_children`) must read exactly as expat
does (`parsed_children`), and leave every other document, malformed ones included, to expat."""

from __future__ import annotations

import random

import pytest

from bot.channels import wechat_protocol as protocol
from bot.errors import BadRequest

PIECES = ["<xml>", "</xml>", "<a>", "</a>", "<Content>", "</Content>", "<![CDATA[", "]]>", "<b/>", "<c x='1'>",
          "</c>", " ", "\n", "\t", "\r", "\r\n", "&amp;", "&lt;", "&", "]", ">", "<", "你好", "订单", "1234", "\x01",
          "\ufffe", "\ud800", "<!-- n -->", "<?xml version='1.0'?>", "\u3000", "text", "<d><e>1</e></d>"]

WHITESPACE = ["", "", " ", "\n", "\t ", "\r\n"]


def read(xml: str) -> list[tuple[str, str | None]] | str:
    try:
        return protocol.parsed_children(xml)
    except BadRequest:
        return "refused"


def test_a_wechat_message_is_read_without_expat_and_the_same() -> None:
    xml = ("<xml><ToUserName><![CDATA[gh_1]]></ToUserName>\n<FromUserName><![CDATA[o_1]]></FromUserName>"
           "<CreateTime>1795823864</CreateTime><MsgType><![CDATA[text]]></MsgType>"
           "<Content><![CDATA[ 订单<E2026>在哪 & 何时 ]]></Content><MsgId>42</MsgId><Empty></Empty></xml>")
    assert protocol.flat_children(xml) == read(xml)
    padded = "<xml><a> <![CDATA[x]]>\n</a><b>\t<![CDATA[]]></b></xml>"  # whitespace around a section is text
    assert protocol.flat_children(padded) == read(padded) == [("a", " x\n"), ("b", "\t")]
    assert protocol.text_fields(xml) == {"ToUserName": "gh_1", "FromUserName": "o_1", "CreateTime": "1795823864",
                                         "MsgType": "text", "Content": "订单<E2026>在哪 & 何时", "MsgId": "42"}


@pytest.mark.parametrize("xml", [
    "<xml><a><![CDATA[x]]>junk]]></a></xml>",  # `]]>` outside a section: malformed
    "<xml><a><![CDATA[x]]><![CDATA[y]]></a></xml>",  # two sections: one text, "xy"
    "<xml><a>x &amp; y</a></xml>",  # an entity
    "<xml><a>x\r\ny</a></xml>",  # a carriage return XML turns into a line feed
    "<xml><a>\x01</a></xml>",  # a character XML cannot carry
    "<xml><a>\ud800</a></xml>",  # a lone surrogate (no UTF-8 decodes to one; expat refuses it)
    "<xml><a><b>1</b></a><c x='1'>2</c><d/></xml>",  # no fields, but names seen
    "<xml><a>1</a></xml>junk",
    "<?xml version='1.0'?><xml><a>1</a></xml>",
    "<root><a>1</a></root>",
])
def test_anything_else_is_left_to_expat(xml: str) -> None:
    assert protocol.flat_children(xml) is None


def random_child(rng: random.Random) -> str:
    """One child element as WeChat's could look, or nearly: text or sections, whitespace around them."""
    name = rng.choice(["a", "Content", "MsgId"])
    parts = [rng.choice(WHITESPACE)]
    for _ in range(rng.randint(0, 2)):
        inner = "".join(rng.choice(PIECES) for _ in range(rng.randint(0, 3)))
        parts += [f"<![CDATA[{inner}]]>" if rng.random() < 0.6 else inner, rng.choice(WHITESPACE)]
    return f"<{name}>{''.join(parts)}</{name}>"


def test_random_documents_read_alike() -> None:
    """Whatever the fast reader accepts, expat reads the same; what it declines, expat decides: loose
    pieces, and children built one by one (sections with whitespace around them, two in one child)."""
    rng = random.Random(12)
    accepted = 0
    for n in range(8000):
        if n % 2:
            body = "".join(rng.choice(WHITESPACE) + random_child(rng) for _ in range(rng.randint(0, 4)))
        else:
            body = "".join(rng.choice(PIECES) for _ in range(rng.randint(0, 12)))
        xml = f"<xml>{body}</xml>" if rng.random() < 0.8 else body
        fast = protocol.flat_children(xml)
        if fast is not None:
            accepted += 1
            assert fast == read(xml), xml
    assert accepted > 1000  # the generator reaches the fast path often enough to mean something
