"""With nobody online, the customer is told so once (handoff.nobody_online) and offered a 留言 once per
queue episode: the 45 s alert and the 120 s offer never follow it with 客服同事都在忙 (handoff.nobody_free,
handoff.offer_message), and a staff member whose role serves no customers, still marked online or away
from before that rule, neither gets a 500 from the console nor stops the hand-on of what they hold
(docs/handoff-sla.md "Nobody online, said once; presence of a role that serves no customers").

The real app over HTTP (web chat, the agents' API) with a FakeClock, as tests/test_handoff.py.
"""

from __future__ import annotations

import pytest

from models.agent import Agent
from tests import test_handoff
from tests.test_handoff import conversation, say, staff, texts_to, tick

clock = test_handoff.clock  # the same fake clock and shop hours as the handoff tests
bot_settings = test_handoff.bot_settings

NOBODY_ONLINE = "都不在线"
ALL_BUSY = "都在忙"
OFFER = "留言"


@pytest.fixture
def bot_ticker() -> bool:
    return False  # deadlines run when a test says


async def test_nobody_online_is_said_once_and_never_followed_by_all_busy(bot, clock):
    replies = await say(bot, "c1", "转人工")
    assert NOBODY_ONLINE in replies[-1] and OFFER in replies[-1]
    queued_at = (await conversation("c1")).queued_at
    for _ in range(14):  # past the 45 s alert and the 120 s offer, each timer acted on when due
        await tick(bot, clock, 10)
    held = await conversation("c1")
    assert held.status == "queued" and held.queued_at == queued_at  # still waiting, same episode
    told = await texts_to("c1")
    after = told[next(i for i, text in enumerate(told) if NOBODY_ONLINE in text):]
    assert not [text for text in after if ALL_BUSY in text], after
    assert len([text for text in told if OFFER in text]) == 1, told  # the offer is not repeated


async def legacy_holder(bot, clock, name: str, customers: list[str]) -> dict:
    """A product owner holding customers from before the rule that only serving roles take them: they
    took them as an agent would; the role is then what it always was (the rule is newer)."""
    headers = await staff(bot, name, capacity=len(customers))
    for user in customers:
        await say(bot, user, "转人工")
        await tick(bot, clock, 0.3)
        assert (await Agent.get(id=(await conversation(user)).assignee_id)).name == name
    await Agent.filter(name=name).update(role="product")
    return headers


async def test_a_legacy_product_owner_set_away_writes_to_a_customer_without_error(bot, clock):
    pat = await legacy_holder(bot, clock, "pat", ["c1"])
    await Agent.filter(name="pat").update(presence="away")
    held = await conversation("c1")
    sent = await bot.client.post(f"/api/agent/conversations/{held.id}/messages", json={"text": "您好，在的"},
                                 headers=pat)
    assert sent.status == 200, await sent.text()
    typing = await bot.client.post("/api/agent/typing", json={"conversation_id": held.id}, headers=pat)
    assert typing.status < 500, await typing.text()
    assert "您好，在的" in await texts_to("c1")
    assert (await Agent.get(name="pat")).presence == "away"  # a console action revives only serving roles


async def test_a_legacy_product_owner_who_lapses_goes_offline_and_their_customers_are_handed_on(bot, clock):
    await legacy_holder(bot, clock, "pat", ["c1", "c2"])
    for user in ("c1", "c2"):
        await say(bot, user, "我的快递怎么还没到，帮我看看")
    for _ in range(14):  # past the 60 s lapse of both questions: two lapses judge the holder away
        await tick(bot, clock, 5)
    assert (await Agent.get(name="pat")).presence == "offline"  # away is no presence of theirs: offline
    for user in ("c1", "c2"):
        now = await conversation(user)
        assert now.status == "queued" and now.assignee_id is None  # handed on, not left with pat
        told = await texts_to(user)
        assert any(NOBODY_ONLINE in text for text in told) and not any(ALL_BUSY in text for text in told), told
