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
