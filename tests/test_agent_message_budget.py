"""An agent's message spends the customer's WeChat send budget (5 pushes in 48 hours after their last
message) only when it can all go, and only once:

- over `AGENT_TEXT_MAX` characters it is refused (413 `text_too_long`): a 9,000-character text was split
  in parts whose first used the last send left and whose rest were recorded undeliverable;
- a text needing more messages than the sends left (after the outbox merges parts) is refused up front
  (422 `over_send_budget`, with `parts_needed` and `sends_left`), nothing sent or recorded;
- three identical POSTs at once with one `client_msg_id` send once, all three answered alike; a retry
  later gets the same answer without sending; a try refused before anything went (forbidden phrases) is
  handled afresh when confirmed with the same id.

Over the real WeChat path (the fake WeChat server over HTTP) and the console's API.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from bot.clock import FakeClock
from bot.web.auth import create_agent, issue_api_token
from handlers.handoff import send_once
from handlers.handoff.schemas import AGENT_TEXT_MAX
from handlers.handoff.service import IDLE
from models.conversation import Conversation
from models.message import Message
from tests.fakes.wechat_user import WeChatBot, wechat_bot
from tests.tcp_proxy import proxied, resp_command
from tests.test_wecom_retry_accepted import sent_part

OPENID = "o_agent_budget"
PART = "退" * 600 + "。"  # 1,803 bytes: one WeChat part each (2,000 bytes a part), two never merge


async def post(bot: WeChatBot, path: str, headers: dict[str, str], body: dict[str, Any]) -> tuple[int, Any]:
    async with bot.session.post(str(bot.server.make_url(path)), json=body, headers=headers) as response:
        return response.status, await response.json()


def answer_of(text: str) -> tuple[int, dict[str, Any]]:
    return 200, {"sent": [text], "parts": [sent_part(text)]}


async def held_by_amy(bot: WeChatBot) -> tuple[Conversation, dict[str, str]]:
    amy = await create_agent("amy", "agent", "secret-pass-123")
    headers = {"Authorization": f"Bearer {await issue_api_token(amy)}"}
    assert (await post(bot, "/api/agent/presence", headers, {"presence": "online"}))[0] == 200
    await bot.user(OPENID).say("转人工")
    held = await Conversation.get(key=f"wechat:{OPENID}")
    assert held.assignee_id == amy.id
    return held, headers


async def sends_left(bot: WeChatBot, held: Conversation, headers: dict[str, str]) -> int:
    async with bot.session.get(str(bot.server.make_url(f"/api/agent/conversations/{held.id}")),
                               headers=headers) as response:
        return (await response.json())["conversation"]["sends_left"]


async def test_a_text_over_the_limit_or_the_sends_left_is_refused_before_anything_goes(tmp_path: Path) -> None:
    async with wechat_bot(tmp_path, clock=FakeClock(), staffed_hours="00:00-24:00") as bot:
        held, headers = await held_by_amy(bot)
        messages = f"/api/agent/conversations/{held.id}/messages"
        while await sends_left(bot, held, headers) > 2:
            assert (await post(bot, messages, headers, {"text": "好的，马上为您查询"}))[0] == 200
        sent, rows = len(bot.wechat.sent), await Message.filter(conversation_id=held.id).count()

        status, body = await post(bot, messages, headers, {"text": "好" * (AGENT_TEXT_MAX + 1)})
        assert (status, body["error"]["code"]) == (413, "text_too_long")
        status, body = await post(bot, messages, headers, {"text": PART * 3})
        assert (status, body["error"]["code"]) == (422, "over_send_budget")
        assert (body["error"]["parts_needed"], body["error"]["sends_left"]) == (3, 2)
        assert len(bot.wechat.sent) == sent and await Message.filter(conversation_id=held.id).count() == rows

        status, body = await post(bot, messages, headers, {"text": PART * 2})  # exactly what is left
        assert status == 200 and len(body["sent"]) == 2
        assert bot.wechat.texts_to(OPENID)[-2:] == [PART, PART]


@pytest.mark.parametrize("backend", ["memory", "redis"])
async def test_one_client_msg_id_sends_once_however_often_it_is_posted(
        tmp_path: Path, request: pytest.FixtureRequest, backend: str) -> None:
    store = {"redis_url": request.getfixturevalue("redis_url")} if backend == "redis" else {}
    async with wechat_bot(tmp_path, clock=FakeClock(), staffed_hours="00:00-24:00", **store) as bot:
        held, headers = await held_by_amy(bot)
        messages = f"/api/agent/conversations/{held.id}/messages"
        body = {"text": "您好，请问订单号是多少？", "client_msg_id": "r-1"}
        answers = await asyncio.gather(*[post(bot, messages, headers, body) for _ in range(3)])
        assert answers == [answer_of(body["text"])] * 3
        assert bot.wechat.texts_to(OPENID).count(body["text"]) == 1
        assert await post(bot, messages, headers, body) == answer_of(body["text"])  # a retry later
        assert bot.wechat.texts_to(OPENID).count(body["text"]) == 1
        assert (await post(bot, messages, headers, {**body, "client_msg_id": "r-2"}))[0] == 200  # a new reply
        assert bot.wechat.texts_to(OPENID).count(body["text"]) == 2


async def test_a_try_refused_before_sending_leaves_its_id_to_the_confirmed_one(tmp_path: Path) -> None:
    async with wechat_bot(tmp_path, clock=FakeClock(), staffed_hours="00:00-24:00") as bot:
        held, headers = await held_by_amy(bot)
        messages = f"/api/agent/conversations/{held.id}/messages"
        text = f"这个{bot.runtime.templates.forbidden[0]}的问题我来处理"
        status, body = await post(bot, messages, headers, {"text": text, "client_msg_id": "r-9"})
        assert (status, body["error"]["code"]) == (409, "forbidden_language")
        status, body = await post(bot, messages, headers, {"text": text, "client_msg_id": "r-9", "confirm": True})
        assert status == 200 and bot.wechat.texts_to(OPENID).count(text) == 1


# --- once, whatever fails (handlers/handoff/send_once.py) ---

OUT_OF_MEMORY = b"OOM command not allowed when used memory > 'maxmemory'."


async def test_a_failure_after_the_parts_went_never_sends_them_again(tmp_path: Path, redis_url: str) -> None:
    """The idle release's deadline (a Redis write after the send) refused: the first answer says the reply
    may have gone, and a retry with the same id says so again instead of sending a second time."""
    async with proxied(redis_url) as (url, proxy):
        async with wechat_bot(tmp_path, clock=FakeClock(), staffed_hours="00:00-24:00", redis_url=url) as bot:
            held, headers = await held_by_amy(bot)
            messages = f"/api/agent/conversations/{held.id}/messages"
            body = {"text": "您好，请问订单号是多少？", "client_msg_id": "after-1"}
            proxy.refuse_commands(resp_command("ZADD", IDLE.encode(), times=1), OUT_OF_MEMORY)
            status, answer = await post(bot, messages, headers, body)
            proxy.refuse_commands(None)
            assert (status, answer["error"]["code"]) == (409, "reply_maybe_sent")
            assert bot.wechat.texts_to(OPENID).count(body["text"]) == 1
            status, answer = await post(bot, messages, headers, body)
            assert (status, answer["error"]["code"]) == (409, "reply_maybe_sent")
            assert bot.wechat.texts_to(OPENID).count(body["text"]) == 1


async def test_an_answer_the_store_failed_to_keep_is_never_sent_again(
        tmp_path: Path, redis_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Redis refuses the write of the answer (after the send): the agent still hears it went; a retry hears
    `reply_in_flight` while the send could still be under way and `reply_maybe_sent` after, also long
    after the first claim's minute — never a second send."""
    monkeypatch.setattr(send_once, "WAIT_S", 0)  # the retry does not wait for an answer that cannot come
    clock = FakeClock()
    async with proxied(redis_url) as (url, proxy):
        async with wechat_bot(tmp_path, clock=clock, staffed_hours="00:00-24:00", redis_url=url) as bot:
            held, headers = await held_by_amy(bot)
            messages = f"/api/agent/conversations/{held.id}/messages"
            body = {"text": "您好，请问订单号是多少？", "client_msg_id": "blip-1"}
            proxy.refuse_commands(resp_command("SET", b"blip-1", b'"sent"', times=1), OUT_OF_MEMORY)  # the answer
            assert await post(bot, messages, headers, body) == answer_of(body["text"])
            proxy.refuse_commands(None)
            status, answer = await post(bot, messages, headers, body)
            assert (status, answer["error"]["code"]) == (503, "reply_in_flight")
            await clock.advance(send_once.CLAIM_TTL_S + 61)
            status, answer = await post(bot, messages, headers, body)
            assert (status, answer["error"]["code"]) == (409, "reply_maybe_sent")
            assert bot.wechat.texts_to(OPENID).count(body["text"]) == 1


async def test_a_duplicate_of_a_try_refused_before_sending_hears_the_refusal(tmp_path: Path, redis_url: str) -> None:
    """A duplicate arriving while the first try is still deciding (its claim's reply held back) waits; the
    first is refused before sending (forbidden phrases), and the duplicate is handled afresh: it hears the
    same refusal, not `reply_in_flight`."""
    async with proxied(redis_url) as (url, proxy):
        async with wechat_bot(tmp_path, clock=FakeClock(), staffed_hours="00:00-24:00", redis_url=url) as bot:
            held, headers = await held_by_amy(bot)
            messages = f"/api/agent/conversations/{held.id}/messages"
            body = {"text": f"这个{bot.runtime.templates.forbidden[0]}的问题我来处理", "client_msg_id": "dup-1"}
            proxy.hold_reply_to(resp_command("SET", b"dup-1", b"NX", times=1))
            first = asyncio.create_task(post(bot, messages, headers, body))
            await proxy.held.wait()  # the first has claimed the id and does not know it yet
            proxy.hold_next(resp_command("GET", b"dup-1", times=1))
            duplicate = asyncio.create_task(post(bot, messages, headers, body))
            await proxy.held.wait()  # the duplicate's claim failed: it listens and looks for the first's answer
            proxy.let_go()
            for status, answer in await asyncio.gather(first, duplicate):
                assert (status, answer["error"]["code"]) == (409, "forbidden_language")
            assert bot.wechat.texts_to(OPENID).count(body["text"]) == 0
