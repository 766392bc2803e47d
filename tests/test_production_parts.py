"""The same conversation on the production parts: PostgreSQL migrated by aerich, Redis as the store."""

from __future__ import annotations

from tortoise import Tortoise

from models.conversation import Conversation
from models.message import Message
from tests.fakes.bot_app import make_settings, running_bot, visitor_headers

WEBCHAT_SECRET = "production-webchat-secret-0123"


async def test_postgres_and_redis_carry_a_conversation(tmp_path, migrated_postgres_url, redis_url):
    settings = make_settings(tmp_path, database_url=migrated_postgres_url, redis_url=redis_url,
                             webchat_secret=WEBCHAT_SECRET)
    async with running_bot(settings) as bot:
        for text in ("你好", "转人工"):
            response = await bot.client.post("/api/webchat/messages", json={"user_id": "pg1", "text": text},
                                               headers=visitor_headers(bot.runtime, "pg1"))
            assert response.status == 200
        conversation = await Conversation.get(key="webchat:pg1")
        assert conversation.escalation_reason == "human_requested"
        assert await Message.filter(conversation=conversation, direction="in").count() == 2
        applied = await Tortoise.get_connection("default").execute_query_dict("SELECT version FROM aerich")
        assert applied and applied[0]["version"].startswith("0_")
        state = await bot.runtime.store.get_state("webchat:pg1")
        assert state is not None and state["turns"] == 2


async def test_migrations_are_idempotent_on_restart(tmp_path, fresh_postgres_url, redis_url):
    settings = make_settings(tmp_path, database_url=fresh_postgres_url, redis_url=redis_url,
                             webchat_secret=WEBCHAT_SECRET)
    for _ in range(2):
        async with running_bot(settings) as bot:
            response = await bot.client.post("/api/webchat/messages", json={"user_id": "pg2", "text": "在吗"},
                                               headers=visitor_headers(bot.runtime, "pg2"))
            assert response.status == 200
    async with running_bot(settings):
        assert await Message.filter(conversation__key="webchat:pg2", direction="in").count() == 2


async def test_migration_creates_every_models_table(tmp_path, fresh_postgres_url, redis_url):
    from tortoise import Tortoise

    settings = make_settings(tmp_path, database_url=fresh_postgres_url, redis_url=redis_url,
                             webchat_secret=WEBCHAT_SECRET)
    async with running_bot(settings):
        connection = Tortoise.get_connection("default")
        rows = await connection.execute_query_dict(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'")
        tables = {row["table_name"] for row in rows}
        expected = {model._meta.db_table for model in Tortoise.apps["models"].values()}
        assert expected <= tables, expected - tables


async def test_after_sales_and_referral_on_postgres(tmp_path, migrated_postgres_url, redis_url):
    settings = make_settings(tmp_path, database_url=migrated_postgres_url, redis_url=redis_url,
                             referral_secret="production-secret-0123456789", webchat_secret=WEBCHAT_SECRET)
    async with running_bot(settings) as bot:
        for extension in bot.runtime.extensions:
            if extension.demo_data is not None:
                await extension.demo_data(bot.runtime)

        async def say(text: str) -> list[str]:
            response = await bot.client.post("/api/webchat/messages", json={"user_id": "demo-visitor", "text": text},
                                               headers=visitor_headers(bot.runtime, "demo-visitor"))
            assert response.status == 200, await response.text()
            return (await response.json())["replies"]

        replies = await say("订单E2026112000102我要退货")
        replies += await say("尺码不合适")
        from models.case import AfterSalesCase

        assert await AfterSalesCase.filter(order__order_no="E2026112000102").count() == 1, replies
        card = await say("我想推荐朋友")
        assert any("/r/" in reply for reply in card), card
