"""An agent's reply as the console is told of it (docs/handoff-sla.md, "A reply that did not reach the
customer"): a blank reply is refused before anything is sent or closed (it closed the 留言 while sending
nothing: `all([])` was "delivered"); a long reply whose first part went and whose second WeChat refused
answers 502 with each part's text and state, so the console puts back only the part that did not go, and
the SLA counts it (the customer got the agent's words). Over the real WeChat path (the fake WeChat server
over HTTP) and the console's API, time moved by the bot's FakeClock.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.channels import wechat_api, wecom_api
from bot.clock import FakeClock
from bot.web.auth import create_agent, issue_api_token
from handlers.handoff.delivery import ALL_CATEGORIES, CATEGORIES
from handlers.handoff.service import AgentReply
from models.conversation import Conversation
from models.handoff import LeftMessage, SlaEvent
from models.message import Message
from tests.fakes.wechat_user import WeChatBot, wechat_bot

ROOT = Path(__file__).resolve().parent.parent
OPENID = "o_reply_parts"
FIRST, SECOND = "退" * 600 + "。", "款" * 600  # 1800 bytes each: two parts on WeChat (2000 bytes a part)


async def post(bot: WeChatBot, path: str, headers: dict[str, str], body: dict[str, Any]) -> tuple[int, Any]:
    async with bot.session.post(str(bot.server.make_url(path)), json=body, headers=headers) as response:
        return response.status, await response.json()


async def held_with_a_left_message(bot: WeChatBot, clock: FakeClock) -> tuple[Conversation, LeftMessage, dict]:
    """A customer who left a 留言 while nobody was free, then taken by amy, greeted, and asking again."""
    await bot.runtime.scheduler.stop()  # deadlines run when the test says
    customer = bot.user(OPENID)
    await customer.say("转人工")  # nobody online: queued
    await clock.advance(121)
    await bot.runtime.scheduler.run_due()  # the queue's wait offers a 留言
    await customer.say("留言：麻烦尽快帮我处理退款")
    left = await LeftMessage.get(conversation__key=f"wechat:{OPENID}")
    amy = await create_agent("amy", "agent", "secret-pass-123")
    headers = {"Authorization": f"Bearer {await issue_api_token(amy)}"}
    assert (await post(bot, "/api/agent/presence", headers, {"presence": "online"}))[0] == 200
    await customer.say("转人工")  # amy takes it
    await clock.advance(60)
    await bot.runtime.scheduler.run_due()  # the greeting on amy's behalf
    await customer.say("在吗")
    held = await Conversation.get(key=f"wechat:{OPENID}")
    assert held.assignee_id == amy.id and held.waiting_since is not None
    return held, left, headers


@pytest.mark.parametrize("blank", ["   ", "\n\t \n", "\u200b", " \ufeff\u2060 ", "\u3164", "\u2800 \u034f\u0007"])
async def test_a_blank_reply_is_refused_and_sends_or_closes_nothing(tmp_path: Path, blank: str) -> None:
    clock = FakeClock()
    async with wechat_bot(tmp_path, clock=clock, staffed_hours="00:00-24:00") as bot:
        held, left, headers = await held_with_a_left_message(bot, clock)
        sent, rows = len(bot.wechat.sent), await Message.filter(conversation_id=held.id).count()
        status, body = await post(bot, f"/api/agent/conversations/{held.id}/messages", headers, {"text": blank})
        assert (status, body["error"]["code"]) == (400, "reply_empty")
        assert (await LeftMessage.get(id=left.id)).done_at is None  # the 留言 still open
        assert len(bot.wechat.sent) == sent and await Message.filter(conversation_id=held.id).count() == rows
        after = await Conversation.get(id=held.id)
        assert after.waiting_since == held.waiting_since  # nothing counted as an answer


def test_a_reply_with_no_parts_is_not_delivered() -> None:
    assert AgentReply([], []).delivered is False
    assert AgentReply(["好的"], ["sent"]).delivered is True


async def test_a_partly_sent_reply_gives_each_part_so_only_the_unsent_one_is_sent_again(tmp_path: Path) -> None:
    clock = FakeClock()
    async with wechat_bot(tmp_path, clock=clock, staffed_hours="00:00-24:00") as bot:
        held, left, headers = await held_with_a_left_message(bot, clock)
        bot.wechat.fail_next(OPENID, 0)  # the first part goes
        bot.wechat.fail_next(OPENID, -1)  # the second is refused
        status, body = await post(bot, f"/api/agent/conversations/{held.id}/messages", headers,
                                  {"text": FIRST + SECOND})
        assert status == 502, body
        error = body["error"]
        assert [(p["delivery"], p["outcome"]) for p in error["parts"]] == [("sent", "sent"),
                                                                          ("undelivered", "errcode_-1")]
        assert [p["text"] for p in error["parts"]] == [FIRST, SECOND]
        assert error["parts"][0]["text"] in bot.wechat.texts_to(OPENID)
        # the customer got amy's words: counted; a resend of the rest may pass
        assert (error["counted"], error["refused_for_good"], error["left_messages_open"]) == (True, False, 1)
        assert (await LeftMessage.get(id=left.id)).done_at is None  # not wholly answered: the 留言 stays open
        after = await Conversation.get(id=held.id)
        assert after.waiting_since is None
        assert await SlaEvent.filter(conversation_id=held.id, kind="person_answered").count() == 1

        # the console sends again only the part that did not go: the customer gets each part once
        status, body = await post(bot, f"/api/agent/conversations/{held.id}/messages", headers,
                                  {"text": error["parts"][1]["text"]})
        assert status == 200, body
        texts = bot.wechat.texts_to(OPENID)
        assert texts.count(error["parts"][0]["text"]) == 1 and texts.count(error["parts"][1]["text"]) == 1


def written_reasons() -> set[str]:
    """Every reason the channels record on an undeliverable row: their error tables, and the codes they
    raise or mark themselves (found in their source, so a new one cannot go unmapped)."""
    found = set(wechat_api.REASONS.values()) | set(wecom_api.REASONS.values())
    for source in (ROOT / "bot" / "channels").glob("*.py"):
        text = source.read_text(encoding="utf-8")
        found |= set(re.findall(r'DeliveryFailed\("([a-z_]+)"\)', text))
        found |= set(re.findall(r'WeChatAPIError\("([a-z_]+)"', text))
        found |= set(re.findall(r'"undeliverable", "([a-z_]+)"', text))
        for line in re.findall(r"^\s*reason = .*$", text, re.MULTILINE):  # reason = "a" if ... else "b"
            found |= set(re.findall(r'"([a-z_]+)"', line))
    return found


def test_every_reason_a_channel_records_has_a_category_and_every_category_a_label() -> None:
    reasons = written_reasons()
    assert {"outside_48h_window", "invalid_open_kfid", "unknown_kf_account", "state_change_refused",
            "welcome_code_single_message", "no_welcome_code", "welcome_code_expired", "timeout"} <= reasons
    assert not reasons - set(CATEGORIES), sorted(reasons - set(CATEGORIES))
    texts = yaml.safe_load((ROOT / "scripts_zh" / "console.yaml").read_text(encoding="utf-8"))
    assert not {f"undelivered_{kind}" for kind in ALL_CATEGORIES} - set(texts)


@pytest.mark.parametrize(("outcomes", "counts"), [
    (["outside_48h_window"], True), (["over_send_window"], True), (["over_send_cap"], True),
    (["not_subscribed"], True), (["invalid_openid"], True), (["session_ended"], True),
    (["timeout"], True), (["no_answer"], True), (["sent", "errcode_-1"], True),
    (["network"], False), (["errcode_-1", "errcode_-1"], False), (["content_too_long"], False), ([], False),
])
def test_the_sla_counts_a_reply_that_reached_may_have_reached_or_was_refused_for_good(
        outcomes: list[str], counts: bool) -> None:
    assert AgentReply(["x"] * len(outcomes), outcomes).counted is counts
