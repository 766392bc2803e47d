"""`Recorder.identify`: a channel user's customer and conversation, found with one prebuilt statement
or created on first contact, the same on SQLite and PostgreSQL."""

from __future__ import annotations

from bot.clock import FakeClock
from bot.db import batch_writer, close_database, open_database
from bot.recorder import Recorder
from models.conversation import Conversation
from models.customer import Customer


async def test_a_known_customer_is_found_with_the_vip_flag_and_a_new_one_created_once(
        database_url: str, clock: FakeClock) -> None:
    await open_database(database_url)
    try:
        vip = await Customer.create(channel="wechat", external_id="o-vip", created_at=clock.now(), is_vip=True)
        conversation = await Conversation.create(key="wechat:o-vip", customer=vip, channel="wechat",
                                                 opened_at=clock.now())
        first = Recorder(clock, batch_writer(database_url))
        found = await first.identify("wechat", "o-vip")
        assert (found.customer_id, found.conversation_id, found.vip) == (vip.id, conversation.id, True)
        new = await first.identify("wechat", "o-new")
        assert not new.vip and new.customer_id != vip.id
        assert await first.identify("wechat", "o-new") is new  # cached in the process
        restarted = Recorder(clock, batch_writer(database_url))  # another process: read, not created again
        again = await restarted.identify("wechat", "o-new")
        assert (again.customer_id, again.conversation_id, again.vip) == (new.customer_id, new.conversation_id, False)
        assert await Customer.filter(external_id="o-new").count() == 1
        assert await Conversation.filter(key="wechat:o-new").count() == 1
        await first.close()
        await restarted.close()
    finally:
        await close_database()


async def test_a_worker_remembers_a_bounded_number_of_customers_the_most_recently_seen_kept(
        database_url: str, clock: FakeClock) -> None:
    await open_database(database_url)
    try:
        recorder = Recorder(clock, batch_writer(database_url), remember=4)
        first = {name: await recorder.identify("wechat", name) for name in ("o-0", "o-1", "o-2", "o-3")}
        assert await recorder.identify("wechat", "o-0") is first["o-0"]  # seen again: now the most recent
        await recorder.identify("wechat", "o-4")  # a fifth customer: the least recently seen one is forgotten
        assert await recorder.identify("wechat", "o-0") is first["o-0"]
        forgotten = await recorder.identify("wechat", "o-1")  # read again with one statement, same ids
        assert forgotten is not first["o-1"] and forgotten == first["o-1"]
        assert await Customer.filter(external_id="o-1").count() == 1
        await recorder.close()
    finally:
        await close_database()
