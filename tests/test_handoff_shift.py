"""What keeps the 15 s / 20 s promise through a busy shift (docs/handoff-sla.md "Keeping places free"):
a conversation the customer is closing takes no place, a question nobody is working on moves to an
agent free to answer it now, and the bench labels a greeting pushed at assignment correctly.

Real app over HTTP with a FakeClock, as tests/test_handoff.py; no test waits real seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from redis.exceptions import ResponseError

from handlers.handoff import reconcile
from handlers.handoff.queue import WRAPPING_UP_TTL_S
from handlers.handoff.service import ALERT, HANDOFF, IDLE, OFFER
from handlers.handoff.sla import MOVE, episode
from models.agent import Agent
from models.complaint import Complaint
from models.conversation import Conversation
from models.handoff import SlaEvent
from models.message import Message
from tests import test_handoff
from tests.tcp_proxy import TcpProxy, resp_command
from tests.test_handoff import OUT_OF_MEMORY, conversation, events, say, staff, texts_to, tick
from tests.test_scheduler_cancel import until_held


@contextlib.contextmanager
def refusing_to_clear_the_mark(proxy: TcpProxy, queue, conversation_id: int) -> Iterator[None]:
    """Redis refuses to delete this conversation's wrapping-up mark (any other key goes)."""
    proxy.refuse_requests(resp_command("DEL", queue.closing_key(conversation_id).encode()), OUT_OF_MEMORY)
    try:
        yield
    finally:
        proxy.refuse_requests(None)


clock = test_handoff.clock  # the same fake clock and shop hours as the handoff tests
bot_settings = test_handoff.bot_settings
redis_bot = test_handoff.redis_bot  # the same bot on Redis, behind a proxy


async def send(bot, headers: dict, user: str, text: str) -> None:
    held = await conversation(user)
    response = await bot.client.post(f"/api/agent/conversations/{held.id}/messages", json={"text": text},
                                     headers=headers)
    assert response.status == 200, await response.text()


async def typing(bot, headers: dict, user: str):
    """The console's typing ping, as it sends it while the agent types in that conversation."""
    held = await conversation(user)
    return await bot.client.post("/api/agent/typing", json={"conversation_id": held.id}, headers=headers)


async def holder_name(user: str) -> str | None:
    held = await conversation(user)
    return None if held.assignee_id is None else (await Agent.get(id=held.assignee_id)).name


# --- wrapping up ---


async def test_thanks_frees_the_place_at_once_and_the_goodbye_is_still_owed(bot, clock):
    amy = await staff(bot, "amy", capacity=1)
    await say(bot, "c1", "转人工")
    await tick(bot, clock, 0.3)
    await say(bot, "c2", "转人工")
    assert (await conversation("c2")).status == "queued"  # amy's one place is taken
    await say(bot, "c1", "好的谢谢")
    assert (await conversation("c2")).status == "handoff" and await holder_name("c2") == "amy"
    assert (await conversation("c1")).status == "handoff"  # amy still holds c1 for the goodbye
    await tick(bot, clock, 4)
    await send(bot, amy, "c1", "不客气亲，祝您购物愉快")
    answered = await SlaEvent.filter(kind="person_answered", conversation__key="webchat:c1").get()
    assert answered.within is True and answered.waited_s == pytest.approx(4)


async def test_a_customer_who_goes_on_after_thanks_takes_the_place_again(bot, clock):
    await staff(bot, "amy", capacity=1)
    await say(bot, "c1", "转人工")
    await tick(bot, clock, 0.3)
    await say(bot, "c1", "谢谢")
    queue = bot.runtime.services[HANDOFF].queue
    assert await queue.wrapping_up((await conversation("c1")).id)
    await say(bot, "c1", "对了 这个能机洗吗")
    assert not await queue.wrapping_up((await conversation("c1")).id)
    await say(bot, "c2", "转人工")
    assert (await conversation("c2")).status == "queued"


async def test_a_wrapping_up_mark_left_behind_expires(bot, clock):
    """Release deletes the mark; one a crash left between two writes must not outlive its conversation."""
    queue = bot.runtime.services[HANDOFF].queue
    await queue.set_wrapping_up(424242, True)
    await clock.advance(WRAPPING_UP_TTL_S - 1)
    assert await queue.wrapping_up(424242)
    await clock.advance(2)
    assert not await queue.wrapping_up(424242)


async def test_an_answer_to_a_channel_not_running_here_is_refused_and_the_question_stays_open(bot, clock):
    """Nothing sent, so nothing is counted as answered: the agent sees a 503, not a message gone quietly."""
    amy = await staff(bot, "amy", capacity=1)
    await say(bot, "c1", "转人工")
    await tick(bot, clock, 0.3)
    await say(bot, "c1", "我的快递到哪了")
    held = await conversation("c1")
    await Conversation.filter(id=held.id).update(key="wechat:o_elsewhere")  # WeChat does not run here
    response = await bot.client.post(f"/api/agent/conversations/{held.id}/messages", json={"text": "亲，明天到"},
                                     headers=amy)
    assert response.status == 503
    assert (await response.json())["error"]["code"] == "channel_not_running"
    await held.refresh_from_db()
    assert held.waiting_since is not None  # the question is still owed
    assert not await Message.filter(conversation_id=held.id, author__startswith="agent:").exists()


async def test_a_question_is_not_a_closing(bot, clock):
    await staff(bot, "amy", capacity=1)
    await say(bot, "c1", "转人工")
    await tick(bot, clock, 0.3)
    await say(bot, "c1", "发什么快递啊 能发顺丰吗")
    await say(bot, "c2", "转人工")
    assert (await conversation("c2")).status == "queued"


async def test_hand_back_of_a_wrapped_up_conversation_clears_it(bot, clock):
    amy = await staff(bot, "amy", capacity=1)
    await say(bot, "c1", "转人工")
    await tick(bot, clock, 0.3)
    await say(bot, "c1", "好嘞 辛苦了")
    held = await conversation("c1")
    response = await bot.client.post(f"/api/agent/conversations/{held.id}/hand-back", json={}, headers=amy)
    assert response.status == 200
    released = await conversation("c1")
    assert released.status == "bot" and not await bot.runtime.services[HANDOFF].queue.wrapping_up(released.id)


async def test_a_failed_clearing_of_the_wrapping_up_mark_leaves_the_conversation_held(redis_bot, clock):
    """Release clears the mark before the save: if the store fails there, the conversation is still held
    (and wrapping up), never saved back to the bot with a mark that would free a place when held again."""
    bot, proxy = redis_bot
    await staff(bot, "amy", capacity=1)
    await say(bot, "c1", "转人工")
    await tick(bot, clock, 0.3)
    await say(bot, "c1", "好嘞 辛苦了")
    queue = bot.runtime.services[HANDOFF].queue
    held = await conversation("c1")
    with refusing_to_clear_the_mark(proxy, queue, held.id), pytest.raises(ResponseError):
        await queue.release(held, "bot")
    assert (await conversation("c1")).status == "handoff" and await queue.wrapping_up(held.id)


async def test_a_stale_wrapping_up_mark_does_not_free_a_place_once_held_again(bot, clock):
    """A mark left behind (a failed write, a conversation queued again) is cleared by a new hold: the
    agent's only place is taken, the next customer waits."""
    await staff(bot, "amy", capacity=1)
    await Agent.filter().update(presence="offline")
    await say(bot, "c1", "转人工")
    queue = bot.runtime.services[HANDOFF].queue
    await queue.set_wrapping_up((await conversation("c1")).id, True)
    await Agent.filter().update(presence="online")
    await bot.runtime.services[HANDOFF].assign_waiting()
    assert (await conversation("c1")).status == "handoff"
    await Conversation.filter(status="handoff").update(first_reply_at=clock.now())  # greeted: ready again
    await say(bot, "c2", "转人工")
    assert (await conversation("c2")).status == "queued"


async def test_a_failed_clearing_of_the_wrapping_up_mark_leaves_the_conversation_queued(redis_bot, clock):
    """A new hold clears a stale mark before the save: if the store fails there, the conversation is
    still queued (the next pass retries), never held with a mark that makes it take no place."""
    bot, proxy = redis_bot
    await staff(bot, "amy", capacity=1)
    await Agent.filter().update(presence="offline")
    await say(bot, "c1", "转人工")
    handoff = bot.runtime.services[HANDOFF]
    queue, queued = handoff.queue, await conversation("c1")
    await queue.set_wrapping_up(queued.id, True)  # left behind by an earlier hold
    await Agent.filter().update(presence="online")
    with refusing_to_clear_the_mark(proxy, queue, queued.id), pytest.raises(ResponseError):
        await handoff.assign_waiting()
    assert (await conversation("c1")).status == "queued"
    await handoff.assign_waiting()  # the next pass
    held = await conversation("c1")
    assert held.status == "handoff" and not await queue.wrapping_up(held.id)


# --- a question nobody is working on ---


async def two_agents_c1_with(bot, clock, name: str) -> tuple[dict, dict]:
    """amy and bob online, c1 held by `name` (the other one still free), greeted."""
    amy = await staff(bot, "amy", capacity=3)
    bob = await staff(bot, "bob", capacity=3)
    await say(bot, "c1", "转人工")
    await tick(bot, clock, 0.3)
    if await holder_name("c1") != name:
        other = bob if name == "amy" else amy
        target = await Agent.get(name=name)
        held = await conversation("c1")
        moved = await bot.client.post(f"/api/agent/conversations/{held.id}/transfer",
                                      json={"to_agent_id": target.id}, headers=other)
        assert moved.status == 200
        await send(bot, amy if name == "amy" else bob, "c1", "亲，您好")
    return amy, bob


async def test_untouched_question_moves_to_an_agent_free_to_answer_before_the_deadline(bot, clock):
    amy, bob = await two_agents_c1_with(bot, clock, "amy")
    await say(bot, "c1", "这个面料起球吗")
    await tick(bot, clock, 12.9)
    assert await holder_name("c1") == "amy"
    await tick(bot, clock, 0.2)  # 13.1 s: amy has not started on it (no typing), bob is free
    assert await holder_name("c1") == "bob"
    assert any("转接客服" in text for text in await texts_to("c1", "system"))
    moved = await SlaEvent.filter(kind="reassigned", conversation__key="webchat:c1").get()
    assert moved.detail == "slow_reply"
    assert "lapse" not in await events("c1")  # not a lapse: it does not count toward 'away'
    acknowledged = await SlaEvent.filter(kind="acknowledged", detail="reassigning").get()
    assert acknowledged.within is True
    await tick(bot, clock, 3)
    await send(bot, bob, "c1", "亲，不起球的")
    answered = await SlaEvent.filter(kind="person_answered", conversation__key="webchat:c1").get()
    assert answered.waited_s == pytest.approx(16.1) and answered.within is True  # the question's own clock
    assert (await Agent.get(name="amy")).presence == "online"
    refused = await bot.client.post(f"/api/agent/conversations/{(await conversation('c1')).id}/messages",
                                    json={"text": "亲，不起球"}, headers=amy)
    assert refused.status in (403, 409)  # amy's late answer no longer reaches the customer


async def test_the_new_holder_owes_the_answer_not_a_greeting(bot, clock):
    await two_agents_c1_with(bot, clock, "amy")
    await say(bot, "c1", "这个面料起球吗")
    await tick(bot, clock, 13.1)
    assert await holder_name("c1") == "bob"
    await tick(bot, clock, 12)  # past a later holder's greeting time, still no answer
    greetings = [t for t in await texts_to("c1", "system") if "很高兴为您服务" in t]
    assert len(greetings) == 1  # amy's, at the start; none on bob's behalf over the open question


async def test_a_typing_holder_keeps_the_question(bot, clock):
    amy, _ = await two_agents_c1_with(bot, clock, "amy")
    await say(bot, "c1", "这个面料起球吗")
    await tick(bot, clock, 6)
    assert (await typing(bot, amy, "c1")).status == 200
    await tick(bot, clock, 7.1)
    assert await holder_name("c1") == "amy"  # 13.1 s: amy is typing
    await tick(bot, clock, 2)
    assert await holder_name("c1") == "amy"
    assert any("正在为您查询" in text for text in await texts_to("c1", "system"))  # a holding message instead


async def test_busy_in_another_conversation_is_not_working_on_this_one(bot, clock):
    amy = await staff(bot, "amy", capacity=3)
    await staff(bot, "bob", capacity=3)
    for user in ("c1", "c2", "c3"):
        await say(bot, user, "转人工")
        await tick(bot, clock, 0.3)
    assert [await holder_name(u) for u in ("c1", "c2", "c3")] == ["amy", "bob", "amy"]
    await say(bot, "c3", "能开发票吗")
    await say(bot, "c1", "这个面料起球吗")
    await tick(bot, clock, 5)
    assert (await typing(bot, amy, "c3")).status == 200  # the console pings as amy types her c3 answer
    await send(bot, amy, "c3", "亲，可以开的")  # amy is at the console, answering someone else
    await tick(bot, clock, 8.1)
    assert await holder_name("c1") == "bob" and await holder_name("c3") == "amy"


async def test_a_typing_ping_names_a_conversation_its_agent_holds(bot, clock):
    amy, bob = await two_agents_c1_with(bot, clock, "amy")
    assert (await typing(bot, bob, "c1")).status == 403  # held by amy
    missing = await bot.client.post("/api/agent/typing", json={"conversation_id": 999_999}, headers=bob)
    assert missing.status == 404
    assert (await bot.client.post("/api/agent/typing", json={}, headers=amy)).status == 400
    assert (await typing(bot, amy, "c1")).status == 200


async def test_no_move_when_the_others_owe_answers_themselves(bot, clock):
    await two_agents_c1_with(bot, clock, "amy")
    await say(bot, "c2", "转人工")
    await tick(bot, clock, 0.3)
    assert await holder_name("c2") == "bob"
    await say(bot, "c2", "在吗 问下尺码")  # bob owes c2 an answer
    await say(bot, "c1", "这个面料起球吗")
    await tick(bot, clock, 15.1)
    assert await holder_name("c1") == "amy"
    assert "reassigned" not in await events("c1")


# --- the bench's reading of what the customer received ---


def load_bench():
    path = Path(__file__).resolve().parents[1] / "bench" / "sla_live.py"
    spec = importlib.util.spec_from_file_location("sla_live_under_test", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_bench_counts_a_greeting_pushed_at_assignment_before_the_console_saw_it():
    bench = load_bench()
    run = bench.Run(bench.parse_args([]), "http://127.0.0.1:1")
    customer = bench.Customer(run, "v1", 0.0, None, "转人工", ["q"], "谢谢")
    customer.escalated_at = run.now()
    customer.pushed({"text": "亲，正在为您转接"})  # before the assignment: stays a system message
    customer.pushed({"text": "亲，您好！我是客服小蜜"})  # the greeting, before any console refreshed
    assert customer.greeted_at is None and [r.source for r in customer.inbox] == ["system", "system"]
    customer.inbox[0].wall, customer.inbox[1].wall = 100.0, 200.0
    customer.assigned_at(150.0)  # what the console's listing says, once it refreshes
    assert customer.greeted_at == customer.inbox[1].at
    assert [r.source for r in customer.inbox] == ["system", "on_behalf"]
    customer.assigned_at(150.0)  # a second console refresh changes nothing
    assert [r.source for r in customer.inbox] == ["system", "on_behalf"]
    assert bench.epoch("2026-11-27T16:00:00Z") == pytest.approx(1795795200.0)
    assert bench.epoch(None) is None and bench.epoch("soon") is None


# --- a customer who says nothing more ---


async def test_silence_after_the_answer_hands_the_conversation_back_with_a_closing_message(bot, clock):
    amy = await staff(bot, "amy", capacity=1)
    await say(bot, "c1", "转人工")
    await tick(bot, clock, 0.3)
    await say(bot, "c1", "能开发票吗")
    await tick(bot, clock, 5)
    await send(bot, amy, "c1", "亲，可以开电子发票")
    await say(bot, "c2", "转人工")
    await tick(bot, clock, 179)
    assert (await conversation("c1")).status == "handoff" and (await conversation("c2")).status == "queued"
    await tick(bot, clock, 1.5)
    assert (await conversation("c1")).status == "bot"
    assert any("转人工" in text for text in (await texts_to("c1", "system"))[-1:])
    assert "released_idle" in await events("c1")
    assert await holder_name("c2") == "amy"  # the freed place went to the queue at once


async def test_the_silence_counts_from_the_last_answer(bot, clock):
    amy = await staff(bot, "amy")
    await say(bot, "c1", "转人工")
    await tick(bot, clock, 0.3)
    await send(bot, amy, "c1", "亲，您好")
    await tick(bot, clock, 100)
    await say(bot, "c1", "在吗 还有个问题")
    await tick(bot, clock, 10)
    await send(bot, amy, "c1", "亲，您说")
    await tick(bot, clock, 71)  # 181 s after the first answer, 71 s after the last
    assert (await conversation("c1")).status == "handoff"
    await tick(bot, clock, 110)
    assert (await conversation("c1")).status == "bot"
    assert (await events("c1")).count("released_idle") == 1


async def test_a_lost_store_rearms_the_idle_release_and_the_move(bot, clock):
    amy = await staff(bot, "amy")
    await say(bot, "c1", "转人工")
    await tick(bot, clock, 0.3)
    await send(bot, amy, "c1", "亲，您好")
    await say(bot, "c2", "转人工")
    await tick(bot, clock, 0.3)
    await say(bot, "c2", "能开发票吗")
    store, answered = bot.runtime.store, clock.time()
    for kind in (IDLE, MOVE):
        await store.pop_due(kind, answered + 10_000)  # the store lost them
    await reconcile(bot.runtime.kit, store_lost=True)
    c1 = (await conversation("c1")).id
    idle = await Message.filter(conversation_id=c1, author__startswith="agent:").order_by("-id").first()
    assert idle is not None
    assert await store.next_due(IDLE) == pytest.approx(idle.created_at.timestamp() + 180)
    assert await store.next_due(MOVE) == pytest.approx(answered + 13)


async def test_the_periodic_pass_rearms_a_queued_conversations_missing_deadlines_once(bot, clock):
    """An escalation's deadline writes may fail while the database says queued: the periodic pass (the
    store not lost) re-arms those still ahead, and never one that already fired (no second offer)."""
    await staff(bot, "amy", capacity=1)  # online but busy: the offer is the timers' (nobody online: the escalation's)
    await say(bot, "c0", "转人工")
    await say(bot, "c1", "转人工")  # nobody free: queued
    queued = await conversation("c1")
    assert queued.status == "queued" and queued.queued_at is not None
    store, settings = bot.runtime.store, bot.runtime.settings
    await store.cancel(OFFER, str(queued.id))  # as if the escalation's gather had failed there
    await store.cancel(ALERT, episode(queued.id, queued.queued_at))
    await reconcile(bot.runtime.kit, store_lost=False)
    start = queued.queued_at.timestamp()
    assert await store.next_due(ALERT) == pytest.approx(start + settings.queue_alert_after_s, abs=1e-3)
    assert await store.next_due(OFFER) == pytest.approx(start + settings.queue_offer_message_after_s, abs=1e-3)
    await tick(bot, clock, settings.queue_alert_after_s + 1)
    offers = await texts_to("c1", "system")
    assert len(offers) == 1 and "留言" in offers[0]  # the alert's offer, which cancelled the other
    await reconcile(bot.runtime.kit, store_lost=False)
    await tick(bot, clock, settings.queue_offer_message_after_s)
    assert await texts_to("c1", "system") == offers


async def test_a_reassignments_offer_is_not_repeated_by_a_rearmed_offer_deadline(bot, clock):
    """Nobody free when the holder goes offline: the customer is offered 留言 then, which cancels the
    offer deadline; the periodic pass re-arms it (it cannot tell cancelled from never written), and
    the alert finds room (an agent this conversation never goes to) so does not offer. The re-armed
    deadline must not offer a second time in the same queue episode."""
    amy = await staff(bot, "amy")
    bob = await staff(bot, "bob", online=False)
    await say(bot, "c1", "转人工")
    await tick(bot, clock, 10)
    assert await holder_name("c1") == "amy"
    gone = await bot.client.post("/api/agent/presence", json={"presence": "offline"}, headers=amy)
    assert gone.status == 200
    assert (await conversation("c1")).status == "queued"
    await Conversation.filter(key="webchat:c1").update(lapsed_agents=[(await Agent.get(name="bob")).id])
    back = await bot.client.post("/api/agent/presence", json={"presence": "online"}, headers=bob)
    assert back.status == 200 and (await conversation("c1")).status == "queued"  # barred: bob never gets it
    await tick(bot, clock, 20)
    await reconcile(bot.runtime.kit, store_lost=False)
    settings = bot.runtime.settings
    await tick(bot, clock, settings.queue_offer_message_after_s)
    offers = [text for text in await texts_to("c1", "system") if "留言" in text]
    assert len(offers) == 1, offers


def test_bench_reports_how_long_a_person_held_each_conversation():
    bench = load_bench()
    run = bench.Run(bench.parse_args([]), "http://127.0.0.1:1")
    customers = []
    for escalated, last in ((1.0, 41.0), (10.0, 30.0)):
        customer = bench.Customer(run, f"v{escalated}", 0.0, None, "转人工", ["q"], "谢谢")
        customer.escalated_at = escalated
        customer.receive("亲，您好", "on_behalf")
        customer.inbox[-1].at = escalated + 1
        customer.receive("亲，再见", "person")
        customer.inbox[-1].at = last
        customers.append(customer)
    figures = bench.report(run, customers, 60.0, None)
    assert figures["person_hold_mean_s"] == pytest.approx(30.0) and figures["person_hold_p50_s"] == 20.0


async def test_the_idle_release_waits_for_a_question_being_handled(redis_bot, clock):
    """The idle timer fires (another worker's tick) while the customer's next question is being handled:
    the release waits for the conversation's lock and then finds the question open. Redis holds back the
    handling's read of the wrapping-up mark (the conversation's lock taken) and then the release's try
    for the lock (tests/tcp_proxy.py), and lets both go."""
    bot, proxy = redis_bot
    amy = await staff(bot, "amy", capacity=1)
    await say(bot, "c1", "转人工")
    await tick(bot, clock, 0.3)
    await send(bot, amy, "c1", "亲，您好")
    await clock.advance(bot.runtime.settings.handoff_idle_release_s)  # the idle release is due
    held = await conversation("c1")
    proxy.hold_next(resp_command("GET", bot.runtime.services[HANDOFF].queue.closing_key(held.id).encode()))
    question = asyncio.create_task(say(bot, "c1", "还有个问题 能开发票吗"))
    await until_held(proxy, question)
    proxy.hold_next(resp_command("SET", bot.runtime.store.keys("lock", held.key).encode(), b"NX"))
    release = asyncio.create_task(bot.runtime.scheduler.run_due())
    await until_held(proxy, release)
    proxy.let_go()
    await asyncio.gather(question, release)
    c1 = await conversation("c1")
    assert c1.status == "handoff" and c1.waiting_since is not None
    assert "released_idle" not in await events("c1")


async def test_a_moved_question_goes_to_the_agent_found_ready(bot, clock):
    await staff(bot, "amy", capacity=3)
    await say(bot, "c1", "转人工")
    await tick(bot, clock, 0.3)
    await staff(bot, "bob", capacity=3)
    await say(bot, "c2", "转人工")
    await tick(bot, clock, 0.3)
    carol = await staff(bot, "carol", capacity=3)
    await say(bot, "c3", "转人工")
    await tick(bot, clock, 0.3)
    assert [await holder_name(u) for u in ("c1", "c2", "c3")] == ["amy", "bob", "carol"]
    await say(bot, "c3", "能开发票吗")
    await tick(bot, clock, 1)
    await send(bot, carol, "c3", "亲，可以开的")  # carol: free, greeted, owes nothing
    await say(bot, "c1", "这个面料起球吗")
    await tick(bot, clock, 1)
    await say(bot, "c2", "在吗 问下尺码")  # bob (less loaded than carol) owes c2 an answer
    await tick(bot, clock, 12.2)  # 13.2 s after c1's question
    assert await holder_name("c1") == "carol"


async def test_after_a_slow_reply_move_the_first_holder_may_take_it_back(bot, clock):
    _, bob = await two_agents_c1_with(bot, clock, "amy")
    await say(bot, "c1", "这个面料起球吗")
    await tick(bot, clock, 13.1)
    assert await holder_name("c1") == "bob"
    assert (await conversation("c1")).lapsed_agents == []
    response = await bot.client.post("/api/agent/presence", json={"presence": "offline"}, headers=bob)
    assert response.status == 200
    assert await holder_name("c1") == "amy"  # online, with room, never lapsed on it


async def test_a_question_never_moves_to_an_agent_the_customer_complains_about(bot, clock):
    await two_agents_c1_with(bot, clock, "amy")
    held = await conversation("c1")
    bob = await Agent.get(name="bob")
    await Complaint.create(number="TS202611270001", customer_id=held.customer_id, channel="webchat",
                           matter="service", category="service", accused_agent=bob, reply_by=clock.now(),
                           created_at=clock.now())
    await say(bot, "c1", "这个面料起球吗")
    await tick(bot, clock, 13.1)
    assert await holder_name("c1") == "amy"  # bob is free and ready, but the customer complained about him


async def test_a_thanks_is_not_moved_like_an_untouched_question(bot, clock):
    await two_agents_c1_with(bot, clock, "amy")
    await say(bot, "c1", "好的谢谢")
    await tick(bot, clock, 13.1)
    assert await holder_name("c1") == "amy"
    assert "reassigned" not in await events("c1")


async def test_an_owed_goodbye_gets_a_closing_word_not_a_holding_message_and_stays_timed(bot, clock):
    await staff(bot, "amy", capacity=1)
    await say(bot, "c1", "转人工")
    await tick(bot, clock, 0.3)
    await say(bot, "c1", "好的谢谢")
    for _ in range(14):
        await tick(bot, clock, 5)
    kinds = await events("c1")
    assert "reassigned" not in kinds and "lapse" not in kinds
    texts = await texts_to("c1")
    assert texts.count(bot.runtime.templates.render("handoff.closing_ack")) == 1  # the thanks is acknowledged
    assert not any(text in texts for text in bot.runtime.templates.variants("handoff.holding"))  # no "please wait"
    assert "breach" in kinds  # the goodbye is timed like any answer
    assert await holder_name("c1") == "amy"
