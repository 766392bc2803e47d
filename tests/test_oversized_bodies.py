"""Bodies over the 1 MiB limit are refused before being read, and the connection is closed.

A client declaring 1.5 MiB gets 413 at once without sending a byte of it (the worker used to wait for
and buffer the whole first megabyte); a chunked body that turns out too long gets a JSON 413 too,
and either way the connection is closed after the answer rather than kept for the next request. The memory this saves
is measured from outside by `bench/oversized.py`.
"""

from __future__ import annotations

import asyncio
import hashlib
import json

import pytest

from models.message import Message
from tests.fakes.bot_app import make_settings, running_bot, visitor_headers

pytestmark = pytest.mark.timeout(30)
TOO_LONG = 1536 * 1024


async def exchange(bot, head: bytes, body: bytes = b"") -> tuple[bytes, bytes]:
    """Send a raw request; return the response's head and body (read by its Content-Length)."""
    reader, writer = await asyncio.open_connection(bot.server.host, bot.server.port)
    try:
        writer.write(head + body)
        await writer.drain()
        response_head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
        length = int(next(line.split(b":")[1] for line in response_head.split(b"\r\n")
                          if line.lower().startswith(b"content-length:")))
        return response_head, await asyncio.wait_for(reader.readexactly(length), 5)
    finally:
        writer.close()


def chunked(chunk: bytes) -> bytes:
    """A chunked body of `chunk` repeated past the limit, with its last chunk."""
    return b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(TOO_LONG // len(chunk) + 1)) + b"0\r\n\r\n"


def webhook_settings(tmp_path):
    """The WeChat and WeCom channels on, so their webhooks' own handlers are behind the paths."""
    return make_settings(tmp_path, wechat_token="hook-token", wecom_corp_id="ww0000000000000001",
                         wecom_kf_secret="kf-secret", wecom_token="kftoken", wecom_aes_key="a" * 43,
                         wecom_api_base="http://127.0.0.1:9")


@pytest.mark.parametrize("path", ["/api/webchat/messages", "/api/agent/login", "/wechat", "/wecom/kf"])
async def test_a_declared_length_over_the_limit_is_refused_unread(tmp_path, path):
    async with running_bot(webhook_settings(tmp_path)) as bot:
        assert {"wechat", "wecom"} <= set(bot.runtime.channels)
        head, body = await exchange(bot, (
            f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            f"Content-Length: {TOO_LONG}\r\n\r\n").encode())
        assert head.startswith(b"HTTP/1.1 413"), head
        assert b"Connection: close" in head
        assert json.loads(body)["error"]["code"] == "body_too_large"
        assert await Message.all().count() == 0


async def test_a_chunked_body_over_the_limit_gets_413_and_the_connection_closed(tmp_path):
    async with running_bot(make_settings(tmp_path)) as bot:
        token = visitor_headers(bot.runtime, "u-1")["X-Visitor-Token"].encode()  # a stranger hears 401 unread
        head, body = await exchange(bot, (
            b"POST /api/webchat/messages HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"X-Visitor-Token: " + token + b"\r\nTransfer-Encoding: chunked\r\n\r\n"), chunked(b"x" * 65536))
        assert head.startswith(b"HTTP/1.1 413"), head
        assert b"Connection: close" in head
        assert json.loads(body)["error"]["code"] == "body_too_large"


def signed_query(token: str, now: float) -> str:
    timestamp, nonce = str(int(now)), "1234"
    signature = hashlib.sha1("".join(sorted([token, timestamp, nonce])).encode()).hexdigest()
    return f"signature={signature}&timestamp={timestamp}&nonce={nonce}&openid=o1"


async def test_a_signed_chunked_wechat_body_over_the_limit_is_read_to_the_limit_then_refused(tmp_path):
    """A signed request passes the signature check, so its body is read, up to the limit: then 413,
    and nothing reaches the dispatcher or the database."""
    async with running_bot(webhook_settings(tmp_path)) as bot:
        query = signed_query("hook-token", bot.runtime.clock.time())
        head, body = await exchange(bot, (
            f"POST /wechat?{query} HTTP/1.1\r\nHost: x\r\nContent-Type: text/xml\r\n"
            "Transfer-Encoding: chunked\r\n\r\n").encode(), chunked(b"<xml>" + b"x" * 65536))
        assert head.startswith(b"HTTP/1.1 413"), head
        assert json.loads(body)["error"]["code"] == "body_too_large"
        assert await Message.all().count() == 0
