"""Every inbound and outbound message, with its delivery outcome.

`(conversation, direction, source_id)` is unique: a retried WeChat delivery carries the same MsgId,
so its second insert is a no-op instead of a second row (MsgIds and event ids are only unique per
customer, hence the conversation in the key). Outbound rows carry a generated `source_id`, indexed
(`OutboundSourceIndex`), by which channels record their delivery.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model

if TYPE_CHECKING:
    from tortoise.backends.base.schema_generator import BaseSchemaGenerator

#: The index on every row's `source_id` this one replaced (migration 0's name, and SQLite's).
ALL_ROWS_SOURCE_INDEX = "idx_message_source__a8aba2"
OUTBOUND_SOURCE_INDEX = "idx_message_source_out"


class OutboundSourceIndex(Index):
    """The outbound rows' `source_id`, for the delivery marks (bot/batch_writer.py), the only statement that
    looks a message up by `source_id` alone, and always with `direction = 'out'`: the dedupe's read and a
    repeat's parts go by the unique key, which starts with the conversation. Inbound rows (half the table)
    need no entry: each message changed a leaf of an index on every row, which its group commit wrote to the
    WAL (docs/performance.md "Fourteenth round").

    SQLite's schema is the models', applied at every start (bot/db.py): the index on every row, which a
    file from before this one still has, is dropped there (`IF EXISTS`: nothing to do once gone).
    PostgreSQL's migration 8 does the same, once."""

    def __init__(self) -> None:
        super().__init__(fields=("source_id",), name=OUTBOUND_SOURCE_INDEX)

    def get_sql(self, schema_generator: BaseSchemaGenerator, model: type[Model], safe: bool) -> str:
        exists = "IF NOT EXISTS " if safe else ""
        return (f'DROP INDEX IF EXISTS "{ALL_ROWS_SOURCE_INDEX}";\n'
                f'CREATE INDEX {exists}"{self.name}" ON "{model._meta.db_table}" ("source_id") '
                f"WHERE {OUTBOUND_SQL};")


#: The rows `OutboundSourceIndex` covers; a query must name this condition for the index to serve it.
OUTBOUND_SQL = "direction = 'out'"


class Message(Model):
    id = fields.IntField(primary_key=True)
    conversation = fields.ForeignKeyField("models.Conversation", related_name="messages")
    channel = fields.CharField(max_length=16)
    direction = fields.CharField(max_length=3, description="in or out")
    kind = fields.CharField(max_length=24, default="text")
    text = fields.TextField(default="")
    source_id = fields.CharField(max_length=128, null=True, description="platform message id")
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
        indexes = (OutboundSourceIndex(),)
