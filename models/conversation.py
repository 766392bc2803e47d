"""A conversation: one customer on one channel, with who owns it and why it was escalated."""

from tortoise import fields
from tortoise.models import Model


class Conversation(Model):
    id = fields.IntField(primary_key=True)
    customer = fields.ForeignKeyField("models.Customer", related_name="conversations")
    channel = fields.CharField(max_length=16)
    key = fields.CharField(max_length=160, unique=True, description="<channel>:<user id>")
    status = fields.CharField(max_length=16, default="bot", description="bot, handoff, closed")
    escalation_reason = fields.CharField(max_length=64, null=True)
    escalated_at = fields.DatetimeField(null=True)
    opened_at = fields.DatetimeField()
    last_message_at = fields.DatetimeField(null=True)

    class Meta:
        table = "conversation"
