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


async def test_a_migration_not_yet_recorded_is_applied_on_start(tmp_path, fresh_postgres_url, redis_url):
    """A start reads aerich's table with one query and runs aerich only when a file is missing from it:
    undo the newest migration (its own downgrade, its row deleted) and the next start applies it again."""
    import importlib

    from bot.db import migration_files

    settings = make_settings(tmp_path, database_url=fresh_postgres_url, redis_url=redis_url,
                             webchat_secret=WEBCHAT_SECRET)
    newest = migration_files()[-1]
    async with running_bot(settings):
        connection = Tortoise.get_connection("default")
        module = importlib.import_module(f"models.migrations.models.{newest.removesuffix('.py')}")
        # the generated downgrade drops tables in an order PostgreSQL refuses without CASCADE
        await connection.execute_script((await module.downgrade(connection)).replace('";', '" CASCADE;'))
        await connection.execute_query("DELETE FROM aerich WHERE version = $1", [newest])
        tables = {model._meta.db_table for model in Tortoise.apps["models"].values()}
    async with running_bot(settings):
        connection = Tortoise.get_connection("default")
        applied = await connection.execute_query_dict("SELECT version FROM aerich")
        assert [row["version"] for row in applied].count(newest) == 1
        rows = await connection.execute_query_dict(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'")
        assert tables <= {row["table_name"] for row in rows}


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
                await extension.demo_data(bot.runtime.kit)

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


async def test_group_commit_on_postgres_inserts_marks_and_dates_contact(tmp_path, migrated_postgres_url, redis_url):
    """The batch writer's fixed SQL on PostgreSQL: rows in (a repeated inbound row skipped), delivery
    marks on the outbound rows named, the customer's last contact dated."""
    from datetime import UTC, datetime

    from bot.recorder import MessageRecord, outbound_message
    from models.customer import Customer

    settings = make_settings(tmp_path, database_url=migrated_postgres_url, redis_url=redis_url,
                             webchat_secret=WEBCHAT_SECRET)
    async with running_bot(settings) as bot:
        recorder = bot.runtime.recorder
        identity = await recorder.identify("wechat", "o_batch")
        now = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)
        inbound = MessageRecord(identity.conversation_id, "wechat", "in", "text", "在吗", "m-1", "customer", now,
                                "received", "greeting", 0.9)
        replies = [outbound_message("wechat", identity.conversation_id, text, "bot", now) for text in ("您好", "在的")]
        await recorder.record([inbound, *replies])
        await recorder.record([inbound])  # a retried delivery's row: skipped, not an error
        await recorder.mark_delivery(replies[0].source_id, "sent")
        await recorder.mark_delivery(replies[1].source_id, "failed", "over_send_cap")
        assert await Message.filter(conversation_id=identity.conversation_id, direction="in").count() == 1
        first, second = await Message.filter(conversation_id=identity.conversation_id, direction="out").order_by("id")
        assert (first.delivery_status, first.sent_at is not None) == ("sent", True)
        assert (second.delivery_status, second.failure_reason, second.sent_at) == ("failed", "over_send_cap", None)
        assert (await Customer.get(id=identity.customer_id)).last_inbound_at is not None


async def test_a_postgres_batch_is_one_statement_and_a_bad_row_fails_only_its_caller(
        tmp_path, migrated_postgres_url, redis_url, monkeypatch):
    """Rows, contact dates and delivery marks of one group commit are one statement (no BEGIN/COMMIT);
    a later mark of a row wins; a row the database refuses fails its own caller only."""
    import asyncio
    from datetime import UTC, datetime

    import asyncpg

    from bot.batch_writer import Batch, PostgresBatchWriter
    from bot.recorder import COLUMNS, MessageRecord, outbound_message

    settings = make_settings(tmp_path, database_url=migrated_postgres_url, redis_url=redis_url,
                             webchat_secret=WEBCHAT_SECRET)
    async with running_bot(settings) as bot:
        recorder = bot.runtime.recorder
        identity = await recorder.identify("wechat", "o_one_statement")
        now = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
        reply = outbound_message("wechat", identity.conversation_id, "您好", "bot", now)
        await recorder.record([reply])
        sent: list[str] = []
        for method in ("execute", "fetch", "executemany"):
            original = getattr(asyncpg.Connection, method)

            async def counting(self, query, *args, _original=original, **kwargs):
                sent.append(query)
                return await _original(self, query, *args, **kwargs)

            monkeypatch.setattr(asyncpg.Connection, method, counting)
        inbound = MessageRecord(identity.conversation_id, "wechat", "in", "text", "在吗", "m-9", "customer", now,
                                "received", None, None)
        marks = {("sent", None): [reply.source_id], ("undeliverable", "over_send_cap"): [reply.source_id]}
        await PostgresBatchWriter().write(Batch(COLUMNS, [[getattr(inbound, c) for c in COLUMNS]],
                                                {identity.customer_id}, marks, now))
        assert len(sent) == 1 and not any(q.strip().upper() in ("BEGIN", "COMMIT") for q in sent), sent
        monkeypatch.undo()
        row = await Message.get(source_id=reply.source_id)
        assert (row.delivery_status, row.failure_reason, row.sent_at) == ("undeliverable", "over_send_cap", None)
        assert await Message.filter(conversation_id=identity.conversation_id, source_id="m-9").count() == 1

        good = MessageRecord(identity.conversation_id, "wechat", "in", "text", "好的", "m-10", "customer", now,
                             "received")
        bad = MessageRecord(999_999_999, "wechat", "in", "text", "?", "m-11", "customer", now, "received")
        results = await asyncio.gather(recorder.record([good]), recorder.record([bad]), return_exceptions=True)
        assert results[0] is None and isinstance(results[1], Exception), results
        assert await Message.filter(source_id="m-10").count() == 1
        assert await Message.filter(source_id="m-11").count() == 0


async def test_first_contact_raced_by_two_workers_makes_one_customer_and_conversation(
        tmp_path, migrated_postgres_url, redis_url):
    """Two workers meeting a new customer at once: the unique keys keep one customer and one
    conversation, and both workers get their ids (the loser of each insert reads the winner's row)."""
    import asyncio

    from bot.batch_writer import PostgresBatchWriter
    from bot.recorder import Recorder
    from models.customer import Customer

    settings = make_settings(tmp_path, database_url=migrated_postgres_url, redis_url=redis_url,
                             webchat_secret=WEBCHAT_SECRET)
    async with running_bot(settings) as bot:
        workers = [Recorder(bot.runtime.clock, PostgresBatchWriter()) for _ in range(4)]
        identities = await asyncio.gather(*(worker.identify("wechat", "o_race") for worker in workers))
        assert len(set(identities)) == 1
        assert await Customer.filter(channel="wechat", external_id="o_race").count() == 1
        assert await Conversation.filter(key="wechat:o_race").count() == 1
        orphan = await Customer.create(channel="wechat", external_id="o_orphan", created_at=bot.runtime.clock.now())
        completed = await Recorder(bot.runtime.clock, PostgresBatchWriter()).identify("wechat", "o_orphan")
        assert completed.customer_id == orphan.id
        assert (await Conversation.get(key="wechat:o_orphan")).customer_id == orphan.id


async def test_a_statement_outside_a_transaction_is_one_round_trip(tmp_path, migrated_postgres_url, redis_url,
                                                                  monkeypatch):
    """asyncpg's pool would send a session reset after every statement (bot/pg_client.py): not here."""
    import asyncpg

    sent: list[str] = []
    execute = asyncpg.Connection.execute

    async def counting(self, query, *args, **kwargs):
        sent.append(query)
        return await execute(self, query, *args, **kwargs)

    settings = make_settings(tmp_path, database_url=migrated_postgres_url, redis_url=redis_url,
                             webchat_secret=WEBCHAT_SECRET)
    async with running_bot(settings):
        monkeypatch.setattr(asyncpg.Connection, "execute", counting)
        for _ in range(3):
            assert await Conversation.filter(key="webchat:nobody").first() is None
        await Tortoise.get_connection("default").execute_query("SELECT 1")
        assert not [query for query in sent if "RESET ALL" in query]
        monkeypatch.undo()
