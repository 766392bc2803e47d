"""Every inbound and outbound message, with its delivery outcome.

`(conversation, direction, source_id)` is unique: a retried WeChat delivery carries the same MsgId,
so its second insert is a no-op instead of a second row (MsgIds and event ids are only unique per
customer, hence the conversation in the key). Outbound rows carry a generated `source_id`, indexed,
by which channels record their delivery.
"""

from tortoise import fields
from tortoise.models import Model


class Message(Model):
    id = fields.IntField(primary_key=True)
    conversation = fields.ForeignKeyField("models.Conversation", related_name="messages")
    channel = fields.CharField(max_length=16)
    direction = fields.CharField(max_length=3, description="in or out")
    kind = fields.CharField(max_length=24, default="text")
    text = fields.TextField(default="")
    source_id = fields.CharField(max_length=128, null=True, db_index=True, description="platform message id")
    author = fields.CharField(max_length=32, default="customer", description="customer, bot, agent:<id>")
    intent = fields.CharField(max_length=32, null=True)
    confidence = fields.FloatField(null=True)
    created_at = fields.DatetimeField()
    delivery_status = fields.CharField(max_length=16, default="received",
                                       description="received, pending, sent, undeliverable")
    failure_reason = fields.CharField(max_length=128, null=True)
    sent_at = fields.DatetimeField(null=True)

    class Meta:
        table = "message"
        unique_together = (("conversation", "direction", "source_id"),)
