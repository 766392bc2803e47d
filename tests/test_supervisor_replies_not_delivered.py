"""The supervisor's summary lists the held conversations whose latest reply from a person did not reach the
customer (`replies_not_delivered`, handlers/handoff/views.py): judged as the message's own mark is, so a
reply still being sent is left out until the outbox's give-up time, and one that went later clears the
conversation. Over the console's API, rows' delivery set in the database; the browser side is in
tests/test_console_delivery_browser.py.
"""

from __future__ import annotations

from handlers.handoff.delivery import PENDING_GIVE_UP_S
from models.message import Message
from tests import test_handoff
from tests.test_handoff import conversation, say, staff, tick
from tests.test_handoff_shift import send

clock = test_handoff.clock  # the same fake clock and shop hours as the handoff tests
bot_settings = test_handoff.bot_settings


async def held_with_a_reply(bot, clock, headers: dict, user: str) -> int:
    """`user`'s conversation, held by the agent of `headers`, whose reply went; its id."""
    await say(bot, user, "转人工")
    await tick(bot, clock, 0.3)
    await say(bot, user, "在吗")
    await send(bot, headers, user, "亲，在的")
    return (await conversation(user)).id


async def latest_reply(conversation_id: int, **delivery: str | None) -> None:
    await Message.filter(id=(await Message.filter(conversation_id=conversation_id, author__startswith="agent:")
                             .order_by("-id").first()).id).update(**delivery)


async def listed(bot, headers: dict) -> list[tuple[int, str | None, str, str | None]]:
    response = await bot.client.get("/api/agent/supervisor", headers=headers)
    assert response.status == 200, await response.text()
    return [(row["conversation_id"], row["agent"], row["delivery"], row["failure_category"])
            for row in (await response.json())["replies_not_delivered"]]


async def test_the_supervisor_sees_the_held_conversations_whose_latest_reply_did_not_go(bot, clock):
    amy = await staff(bot, "amy")
    boss = await staff(bot, "boss", role="supervisor", online=False)
    refused, pending, answered = [await held_with_a_reply(bot, clock, amy, user) for user in ("c1", "c2", "c3")]
    assert await listed(bot, boss) == []  # every reply went
    await latest_reply(refused, delivery_status="undeliverable", failure_reason="outside_48h_window")
    await latest_reply(pending, delivery_status="pending")
    await latest_reply(answered, delivery_status="undeliverable", failure_reason="no_answer")
    await send(bot, amy, "c3", "亲，刚才那条您收到了吗")  # a later reply went: c3 is off the list
    assert await listed(bot, boss) == [(refused, "amy", "undelivered", "window")]  # c2's is still being sent
    await clock.advance(PENDING_GIVE_UP_S + 1)
    assert await listed(bot, boss) == [(pending, "amy", "unconfirmed", "unconfirmed"),  # newest first
                                       (refused, "amy", "undelivered", "window")]
    # the conversation handed back to the bot: no longer held, no longer the supervisor's concern here
    assert (await bot.client.post(f"/api/agent/conversations/{refused}/hand-back", headers=amy)).status == 200
    assert await listed(bot, boss) == [(pending, "amy", "unconfirmed", "unconfirmed")]


async def test_a_reply_from_an_earlier_hand_off_is_not_blamed_on_the_current_one(bot, clock):
    amy = await staff(bot, "amy")
    boss = await staff(bot, "boss", role="supervisor", online=False)
    held = await held_with_a_reply(bot, clock, amy, "c1")
    await latest_reply(held, delivery_status="undeliverable", failure_reason="outside_48h_window")
    assert (await bot.client.post(f"/api/agent/conversations/{held}/hand-back", headers=amy)).status == 200
    await clock.advance(3600)
    await say(bot, "c1", "转人工")  # held again, nobody has replied in this hand-off yet
    await tick(bot, clock, 0.3)
    assert (await conversation("c1")).status == "handoff"
    assert await listed(bot, boss) == []
    await send(bot, amy, "c1", "亲，我来处理")
    await latest_reply(held, delivery_status="undeliverable", failure_reason="outside_48h_window")
    assert await listed(bot, boss) == [(held, "amy", "undelivered", "window")]
