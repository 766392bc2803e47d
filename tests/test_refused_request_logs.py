"""A request aiohttp's parser refuses is the client's doing: a URL over 8 KB (LineTooLong) or a body
whose Content-Encoding does not decode answered 400 but logged an ERROR with a traceback on
`aiohttp.server` (and the client's address), so anyone could fill the error log. With
`quiet_refused_requests` (installed by `configure_logging`) each is one WARNING line naming the failure's
type only. Real HTTP to the running bot.
"""

from __future__ import annotations

import logging

import pytest

from bot.logs import quiet_refused_requests

pytestmark = pytest.mark.timeout(30)


@pytest.mark.parametrize("request_of", [
    lambda bot: bot.client.get("/api/webchat/history?q=" + "a" * 9000),
    lambda bot: bot.client.post("/api/webchat/messages", data=b"not deflate at all",
                                headers={"Content-Type": "application/json", "Content-Encoding": "deflate"}),
], ids=["url-over-8kb", "broken-deflate"])
async def test_a_refused_request_is_one_warning_without_traceback(bot, caplog, request_of) -> None:
    quiet_refused_requests()
    caplog.set_level(logging.INFO)
    response = await request_of(bot)
    assert 400 <= response.status < 500
    await response.release()
    server = [record for record in caplog.records if record.name == "aiohttp.server"]
    assert server, "aiohttp logged nothing: the case no longer reaches its parser"
    assert all(record.levelno == logging.WARNING and not record.exc_info and not record.exc_text
               for record in server), [(r.levelname, r.getMessage()) for r in server]
    assert all("127.0.0.1" not in record.getMessage() for record in server)
