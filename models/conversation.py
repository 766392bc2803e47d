"""A conversation: one customer on one channel, who holds it, and the timestamps its SLA is read from.

`status` is `bot` (the bot answers), `queued` (waiting for a person, the bot still answers what it
can), `handoff` (an agent holds it) or `closed`. The customer's clocks (docs/handoff-sla.md):
`waiting_since` is when the oldest customer message still owed a person's answer arrived (kept
through reassignment and holding messages); `unacked_since` when the oldest message not yet
acknowledged by any message arrived; `queued_at` is the escalation, and `person_at` when a person
(or the greeting on their behalf) first reached the customer after it. `first_reply_at` is the
current holder's first message (the greeting on their behalf is sent when it is missing).
"""

from tortoise import fields
from tortoise.models import Model

STATUSES = ("bot", "queued", "handoff", "closed")


class Conversation(Model):
    id = fields.IntField(primary_key=True)
    customer = fields.ForeignKeyField("models.Customer", related_name="conversations")
    channel = fields.CharField(max_length=16)
    key = fields.CharField(max_length=160, unique=True, description="<channel>:<user id>")
    status = fields.CharField(max_length=16, default="bot")
    escalation_reason = fields.CharField(max_length=64, null=True)
    escalated_at = fields.DatetimeField(null=True)
    priority = fields.IntField(default=0, description="queue order: VIPs first, then first come")
    queued_at = fields.DatetimeField(null=True)
    assignee = fields.ForeignKeyField("models.Agent", related_name="conversations", null=True)
    assigned_at = fields.DatetimeField(null=True)
    first_reply_at = fields.DatetimeField(null=True)
    waiting_since = fields.DatetimeField(null=True)
    unacked_since = fields.DatetimeField(null=True)
    person_at = fields.DatetimeField(null=True)
    lapsed_agents = fields.JSONField(default=list, description="agents who let its clock lapse")
    holding_sent = fields.IntField(default=0, description="holding messages sent in this handover")
    opened_at = fields.DatetimeField()

    class Meta:
        table = "conversation"
