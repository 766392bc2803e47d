"""Probe 5's complaint defect over the web chat, HTTP to the real app: "this chat" as the contact never leaves
a fragment of its words behind as the outcome (docs/complaints.md "Probe 5")."""

from __future__ import annotations

import pytest

from models.complaint import Complaint
from tests.test_complaints_chat import say


@pytest.mark.parametrize("contact", ["就在这里聊", "在这里聊就行", "就在这里说吧"])
async def test_this_chat_as_the_contact_leaves_no_fragment_as_the_outcome(bot, contact):
    await say(bot, "alice", "我要投诉，客服态度特别差，半天不回复")
    assert "怎么为您解决" in await say(bot, "alice", "没有订单")
    asked = await say(bot, "alice", contact)
    assert "怎么为您解决" in asked  # still the outcome: the contact was the answer
    done = await say(bot, "alice", "希望客服道歉")
    [complaint] = await Complaint.all()
    assert complaint.number in done and complaint.contact == "webchat"
    assert "道歉" in complaint.desired_outcome and "聊" not in complaint.desired_outcome
