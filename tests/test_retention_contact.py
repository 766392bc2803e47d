"""Retention runs from the customer's own last contact (docs/rules.md R-RETENTION-1): what the shop
sends them (a campaign push, a notice) is not contact, so a customer who never writes back is not kept
for ever by the shop's own messages; one who writes is. The push goes through the real messenger and
outbox; the customers' first messages through the web chat, then dated back."""

from __future__ import annotations

from datetime import timedelta

import pytest
from tortoise.expressions import Subquery

from bot.clock import FakeClock
from handlers.reports import retention
from handlers.reports.desk import REPORTS
from handlers.reports.settings import RetentionSettings
from models.conversation import Conversation
from models.customer import Customer
from models.message import Message
from tests.fakes.bot_app import visitor_headers
from tests.fakes.wechat_user import wechat_bot

MESSAGE_DAYS = 30


async def say(bot, user: str, text: str) -> None:
    response = await bot.client.post("/api/webchat/messages", json={"user_id": user, "text": text},
                                      headers=visitor_headers(bot.runtime, user))
    assert response.status == 200, await response.text()


def messages_of(user: str):
    return Message.filter(conversation_id__in=Subquery(
        Conversation.filter(customer__external_id=user).values("id")))


def keep_messages_only(runtime, monkeypatch) -> None:
    settings = runtime.settings.area(RetentionSettings)
    monkeypatch.setattr(settings, "message_days", MESSAGE_DAYS)
    monkeypatch.setattr(settings, "upload_days", 0)
    monkeypatch.setattr(settings, "archive_days", 0)


async def test_the_shops_pushes_do_not_keep_a_customer_who_never_writes_back(bot, clock, monkeypatch):
    for user in ("silent", "writes"):
        await say(bot, user, "你好，请问今天下单什么时候能发货")
    long_ago = clock.now() - timedelta(days=MESSAGE_DAYS + 10)
    await Customer.all().update(created_at=long_ago, last_inbound_at=long_ago)
    await Message.all().update(created_at=long_ago)
    for user in ("silent", "writes"):  # the shop's campaign reaches both today
        assert await bot.runtime.messenger.send_text("webchat", user, "双十一预热：全店满199减30，今晚八点开抢")
    await say(bot, "writes", "满减能和优惠券一起用吗")  # only this one writes back
    keep_messages_only(bot.runtime, monkeypatch)
    silent_before = await messages_of("silent").count()
    assert silent_before >= 3  # their question, the bot's answer, the push

    done = await retention.run(bot.runtime.services[REPORTS], apply=True)

    assert await messages_of("silent").count() == 0
    assert done.messages == silent_before
    assert await messages_of("writes").count() > 0


@pytest.fixture(params=["sqlite", "postgres"])
def database(request: pytest.FixtureRequest) -> dict[str, str]:
    """The settings that choose the database (the default is SQLite)."""
    return {"database_url": request.getfixturevalue("migrated_postgres_url")} if request.param == "postgres" else {}


async def test_wechats_report_on_a_template_push_is_not_the_customers_contact(tmp_path, monkeypatch, database):
    """After a template message (a notice, a campaign) WeChat posts `TEMPLATESENDJOBFINISH` to the
    callback URL from the customer's openid: a report on the shop's own push, not something they did."""
    clock = FakeClock()
    async with wechat_bot(tmp_path, clock=clock, **database) as bot:
        user = bot.user("oSilentTemplateReader01")
        assert (await user.send(user.signed(user.text("你好，请问今天下单什么时候能发货")))).status == 200
        await bot.runtime.channels["wechat"].settle()
        long_ago = clock.now() - timedelta(days=MESSAGE_DAYS + 10)
        await Customer.all().update(created_at=long_ago, last_inbound_at=long_ago)
        await Message.all().update(created_at=long_ago)
        report = user.event("TEMPLATESENDJOBFINISH", MsgID=200163836, Status="success")
        assert (await user.send(user.signed(report))).is_success
        await bot.runtime.channels["wechat"].settle()
        keep_messages_only(bot.runtime, monkeypatch)

        done = await retention.run(bot.runtime.services[REPORTS], apply=True)

        assert done.messages >= 2 and await messages_of(user.openid).count() == 0
