"""The WeCom 微信客服 channel across restarts and transient refusals: the real app on a real socket,
`FakeWeCom` on another, read back from the fake (what the customer received) and the database."""

from __future__ import annotations

import pytest

from models.wecom import KfCustomer
from tests.fakes.wecom_server import OPEN_KFID, FakeWeCom
from tests.test_wecom_channel import ALICE, wecom_bot

pytestmark = pytest.mark.timeout(60)


async def test_after_a_restart_an_agent_still_reaches_a_customer_who_wrote_before_it(tmp_path, clock, database_url):
    async with FakeWeCom(clock=clock) as fake:
        async with wecom_bot(tmp_path, clock, fake, database_url=database_url) as wecom:
            assert await wecom.say(ALICE, "你好")
        # the runtime restarts: the same database, an empty store
        async with wecom_bot(tmp_path, clock, fake, database_url=database_url) as wecom:
            outcomes = await wecom.bot.runtime.outbox.send("wecom", ALICE, ["您的退款已经处理好了"], author="agent")
            assert outcomes == ["sent"]
            [sent] = [s for s in fake.delivered(ALICE) if s.content == "您的退款已经处理好了"]
            assert sent.payload["open_kfid"] == OPEN_KFID
            assert [row.open_kfid for row in await KfCustomer.filter(external_userid=ALICE)] == [OPEN_KFID]
