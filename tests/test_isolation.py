"""One customer's bad message never fails another's (issue 10, item 3).

Messages in flight share one group commit. A row the database refuses (PostgreSQL refuses NUL; no
database can store a lone surrogate) used to fail the whole batch, so innocent customers got 500.
Two layers: text is cleaned where it enters (`bot.text_input`), and a failed batch is written again
caller by caller so that only the bad row's caller fails. Both are checked on SQLite and PostgreSQL.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.clock import FakeClock
from bot.db import batch_writer, close_database, open_database
from bot.recorder import MessageRecord, Recorder
from models.message import Message
from tests.fakes.bot_app import make_settings, running_bot

GOOD_TEXTS = ["你好", "什么时候发货呀", "这个有货吗", "能便宜点吗", "我要退货", "在吗", "发什么快递",
              "多久能到", "有优惠券吗", "怎么开发票"]


@pytest.fixture
async def recorder(database_url: str, clock: FakeClock) -> AsyncIterator[Recorder]:
    await open_database(database_url)
    recorder = Recorder(clock, batch_writer(database_url))
    try:
        yield recorder
    finally:
        await recorder.close()
        await close_database()


async def test_a_refused_row_fails_only_its_own_caller(recorder: Recorder, clock: FakeClock) -> None:
    identities = [await recorder.identify("webchat", f"c{n}") for n in range(len(GOOD_TEXTS) + 1)]

    def row(conversation_id: int, text: str, source_id: str) -> MessageRecord:
        return MessageRecord(conversation_id, "webchat", "in", "text", text, source_id, "customer", clock.now(),
                             "received")

    good = [row(identity.conversation_id, text, f"m{n}")
            for n, (identity, text) in enumerate(zip(identities, GOOD_TEXTS, strict=False))]
    bad = row(identities[-1].conversation_id, "坏\ud800消息", "bad")  # past the edge: no database stores it
    outcomes = await asyncio.gather(*(recorder.record([item]) for item in [*good[:5], bad, *good[5:]]),
                                    return_exceptions=True)
    failed = [n for n, outcome in enumerate(outcomes) if isinstance(outcome, BaseException)]
    assert failed == [5], outcomes
    stored = await Message.filter(direction="in").values_list("text", flat=True)
    assert sorted(stored) == sorted(GOOD_TEXTS)


async def test_web_chat_refuses_or_cleans_bad_text_and_answers_everyone(tmp_path: Path, database_url: str) -> None:
    async with running_bot(make_settings(tmp_path, database_url=database_url), clock=FakeClock()) as bot:
        bodies = [{"user_id": f"good-{n}", "text": text} for n, text in enumerate(GOOD_TEXTS * 3)]
        bodies[7] = {"user_id": "nul", "text": "你好\u0000请问发货"}
        bodies[19] = {"user_id": "surrogate", "text": "退货\ud800怎么弄"}
        bodies[11] = {"user_id": "control", "text": "退货\u001b怎么弄\u0007"}
        answers = await asyncio.gather(*(bot.post_chat(body) for body in bodies))
        # The JSON reader refuses NUL and lone surrogates (bot/web/jsonbody.py): only their senders hear so.
        expected = [400 if n in (7, 19) else 200 for n in range(len(bodies))]
        assert [answer.status for answer in answers] == expected
        assert await Message.filter(direction="in").count() == len(bodies) - 2
        assert await Message.get(conversation__key="webchat:control", direction="in").values_list(
            "text", flat=True) == "退货怎么弄"

        only_control = await bot.post_chat({"user_id": "x", "text": "\u0000\u0007"})
        assert only_control.status == 400
