"""Probe 5's complaint defect over the web chat, HTTP to the real app: a contact ("this chat", a phone) given
when the outcome is asked never leaves a fragment of its words behind as the outcome (docs/complaints.md
"Probe 5")."""

from __future__ import annotations

import pytest

from models.complaint import Complaint
from tests.test_complaints_chat import say


@pytest.mark.parametrize(("contact", "saved"), [("就在这里聊", "webchat"), ("在这里聊就行", "webchat"),
                                               ("就在这里说吧", "webchat"), ("电话是13800138000", "13800138000")])
async def test_a_contact_given_for_the_outcome_leaves_no_fragment_as_the_outcome(bot, contact, saved):
    await say(bot, "alice", "我要投诉，客服态度特别差，半天不回复")
    assert "怎么为您解决" in await say(bot, "alice", "没有订单")
    asked = await say(bot, "alice", contact)
    assert "怎么为您解决" in asked  # still the outcome: the contact was the answer
    done = await say(bot, "alice", "希望客服道歉")
    [complaint] = await Complaint.all()
    assert complaint.number in done and complaint.contact == saved
    assert complaint.desired_outcome == "希望客服道歉"
