"""WeCom's notice that the servicer ended the session is not the customer's contact (docs/rules.md
R-RETENTION-1: contact is what the customer does). It still hands the conversation back to the bot,
but is not recorded as a message they wrote, so it neither keeps them past retention nor stands in
their transcript as their words. Over real HTTP with the fake WeCom server."""

from __future__ import annotations

from datetime import timedelta

from handlers.reports import retention
from handlers.reports.desk import REPORTS
from models.conversation import Conversation
from models.customer import Customer
from models.handoff import SlaEvent
from models.message import Message
from tests.fakes.wecom_server import SERVICER
from tests.test_retention_contact import MESSAGE_DAYS, keep_messages_only, messages_of
from tests.test_wecom_channel import ALICE, online_agent, wecom_bot


async def test_the_servicer_ending_the_session_is_not_the_customers_contact(tmp_path, clock, monkeypatch):
    async with wecom_bot(tmp_path, clock, wecom_handoff="servicer", wecom_servicer_userid=SERVICER) as wecom:
        runtime = wecom.bot.runtime
        await online_agent(clock, runtime)
        await wecom.say(ALICE, "转人工")
        assert wecom.fake.trans_calls == [(ALICE, 3, SERVICER)]
        long_ago = clock.now() - timedelta(days=MESSAGE_DAYS + 10)
        await Customer.all().update(created_at=long_ago, last_inbound_at=long_ago)
        await Message.all().update(created_at=long_ago)
        await clock.advance(timedelta(minutes=10))  # past the recorder's once-a-minute contact write

        wecom.fake.servicer_ends(ALICE)  # the servicer closes the session in the WeCom app, today
        await wecom.notify()
        await runtime.recorder.settle()

        conversation = await Conversation.get(key=f"wecom:{ALICE}")
        assert conversation.status == "bot"  # still handed back to the bot
        assert await SlaEvent.filter(conversation=conversation, kind="ended_elsewhere").count() == 1
        assert await Message.filter(direction="in", created_at__gt=long_ago).count() == 0
        assert (await Customer.get(external_id=ALICE)).last_inbound_at == long_ago
        kept = await messages_of(ALICE).count()
        keep_messages_only(runtime, monkeypatch)

        done = await retention.run(runtime.services[REPORTS], apply=True)

        assert done.messages == kept >= 2 and await messages_of(ALICE).count() == 0
