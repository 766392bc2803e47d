"""A conversation: one customer on one channel, who holds it, and the timestamps its SLA is read from.

`status` is `bot` (the bot answers), `queued` (waiting for a person, the bot still answers what it
can), `handoff` (an agent holds it) or `closed`. `waiting_since` is when the oldest unanswered
customer message arrived while a person holds the conversation; `first_reply_at` is the agent's
first message after taking it (the 15 s promise).
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
    lapsed_agents = fields.JSONField(default=list, description="agents who let its clock lapse")
    misses = fields.IntField(default=0, description="reply deadlines the holder missed in a row")
    holding_sent = fields.IntField(default=0, description="holding messages sent in this handover")
    opened_at = fields.DatetimeField()

    class Meta:
        table = "conversation"
