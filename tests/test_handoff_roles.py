"""Only roles that serve customers (agent, supervisor, admin: models/agent.py `SERVING`) go online, take
queued customers, are handed conversations or are transferred one (docs/handoff-sla.md "Who serves
customers"). The product owner (产品负责人, role `product`) investigates complaints: they went online,
took customers from the queue, were transferred conversations and received a colleague's customers when
the colleague went offline.

Real app over HTTP with a FakeClock, as tests/test_handoff.py; no test waits real seconds.
"""

from __future__ import annotations

from handlers.handoff.labels import ERRORS
from models.agent import Agent
from tests import test_handoff
from tests.test_handoff import conversation, say, staff, tick

clock = test_handoff.clock  # the same fake clock and shop hours as the handoff tests
bot_settings = test_handoff.bot_settings


async def error_code(response) -> str:
    return (await response.json())["error"]["code"]


async def test_the_product_owner_cannot_go_online_nor_take_a_queued_customer(bot, clock):
    product = await staff(bot, "pat", role="product", online=False)
    refused = await bot.client.post("/api/agent/presence", json={"presence": "online"}, headers=product)
    assert refused.status == 403 and await error_code(refused) == "role_not_serving"
    away = await bot.client.post("/api/agent/presence", json={"presence": "away"}, headers=product)
    assert away.status == 403 and await error_code(away) == "role_not_serving"
    assert (await Agent.get(name="pat")).presence == "offline"
    await say(bot, "c1", "转人工")
    queued = await conversation("c1")
    assert queued.status == "queued"
    taken = await bot.client.post(f"/api/agent/conversations/{queued.id}/take", headers=product)
    assert taken.status == 403 and await error_code(taken) == "role_not_serving"
    assert (await conversation("c1")).status == "queued"
    offline = await bot.client.post("/api/agent/presence", json={"presence": "offline"}, headers=product)
    assert offline.status == 200  # offline is anyone's
    labels = await (await bot.client.get("/api/labels", headers=product)).json()
    assert {"role_not_serving", "target_not_serving"} <= set(ERRORS)
    assert "不接待顾客" in str(labels)  # the console shows the refusal in Chinese


async def test_a_conversation_is_never_transferred_nor_handed_to_the_product_owner(bot, clock):
    await staff(bot, "pat", role="product", online=False)
    await Agent.filter(name="pat").update(presence="online")  # marked online before this rule: serves nobody
    amy = await staff(bot, "amy", capacity=3)
    await say(bot, "c1", "转人工")
    await tick(bot, clock, 0.3)
    held = await conversation("c1")
    assert (await Agent.get(id=held.assignee_id)).name == "amy"
    pat = await Agent.get(name="pat")
    moved = await bot.client.post(f"/api/agent/conversations/{held.id}/transfer",
                                  json={"to_agent_id": pat.id, "note": "请跟进"}, headers=amy)
    assert moved.status == 403 and await error_code(moved) == "target_not_serving"
    assert (await conversation("c1")).assignee_id == held.assignee_id
    gone = await bot.client.post("/api/agent/presence", json={"presence": "offline"}, headers=amy)
    assert gone.status == 200  # amy's customer goes to someone who serves customers, never to pat
    after = await conversation("c1")
    assert after.status == "queued" and after.assignee_id is None
    replies = await say(bot, "c2", "转人工")
    assert (await conversation("c2")).status == "queued" and "不在线" in replies[-1]  # pat is nobody to wait for


async def test_metrics_count_only_the_staff_who_serve_customers_as_online(bot, clock):
    await staff(bot, "pat", role="product", online=False)
    await Agent.filter(name="pat").update(presence="online")  # marked online before the rule
    await staff(bot, "amy")
    metrics = await (await bot.client.get("/metrics")).text()
    assert "csbot_agents_online 1.0" in metrics.splitlines()
