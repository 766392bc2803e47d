"""What the handoff to people leaves behind: SLA events, handover notes, messages left for staff.

Every SLA event is a row with its times, so reports can say who kept the promise. The customer's
promises (`person_reached`, `acknowledged`, `person_answered`, and `breach` when a question lapsed)
carry `due_at`, `at`, `waited_s` and `within`; the others record what happened (queued, assigned,
greeting on the agent's behalf, holding message sent or skipped, reassigned and its announcement
skipped, agent set away, alert).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model

if TYPE_CHECKING:
    from tortoise.backends.base.schema_generator import BaseSchemaGenerator

SLA_EVENT_KINDS = (
    "queued", "assigned", "person_reached", "acknowledged", "person_answered", "auto_greeting",
    "holding_message", "holding_skipped", "near_breach", "breach", "lapse", "reassigned", "announce_skipped",
    "away", "alert", "handed_back", "released_idle", "transferred", "ended_elsewhere",
)


#: An agent's events, with the conversation (migration 9 on PostgreSQL): the teaching review's subquery (the
#: conversations an agent served, handlers/teaching/api.py `_reviewable`) reads this index alone, and the
#: handoff's judge of presence (an agent's recent lapses) starts from it. Without it each read scanned the
#: whole table, a few rows per escalation for as long as the shop runs.
SLA_EVENT_AGENT_INDEX = "idx_sla_event_agent_conversation"
#: The events by time (migration 9): the supervisor's summary polls today's events (handlers/handoff/views.py)
#: and the reports read a period's (handlers/reports/*); both scanned the whole table before.
SLA_EVENT_AT_INDEX = "idx_sla_event_at"


class SlaEvent(Model):
    id = fields.IntField(primary_key=True)
    conversation = fields.ForeignKeyField("models.Conversation", related_name="sla_events")
    agent = fields.ForeignKeyField("models.Agent", related_name="sla_events", null=True)
    kind = fields.CharField(max_length=24)
    due_at = fields.DatetimeField(null=True)
    at = fields.DatetimeField()
    waited_s = fields.FloatField(null=True, description="how long the customer had waited")
    within = fields.BooleanField(null=True, description="promise kept, for events that carry one")
    detail = fields.CharField(max_length=128, null=True)

    class Meta:
        table = "sla_event"
        indexes = (Index(fields=("agent_id", "conversation_id"), name=SLA_EVENT_AGENT_INDEX),
                   Index(fields=("at",), name=SLA_EVENT_AT_INDEX))


class HandoverNote(Model):
    """交接记录: open questions and pending items, shown to the next agent on the conversation."""

    id = fields.IntField(primary_key=True)
    conversation = fields.ForeignKeyField("models.Conversation", related_name="notes")
    author = fields.ForeignKeyField("models.Agent", related_name="notes")
    open_questions = fields.TextField(default="")
    pending = fields.TextField(default="")
    created_at = fields.DatetimeField()

    class Meta:
        table = "handover_note"


#: The unique key of a conversation's open 留言 of one text (`OpenLeftMessageKey`); migration 6 on PostgreSQL.
OPEN_LEFT_MESSAGE_KEY = "uidx_left_message_open_text"


class OpenLeftMessageKey(Index):
    """At most one open 留言 of a text per conversation, kept by the database: two copies of one customer
    message handled at once (a resend racing the first, a second worker) both passed the INSERT's own
    check, each reading before the other had written. A partial unique index: a 留言 done, or erased
    (its text emptied, handlers/archive/erase.py, which empties every 留言 of the person), is outside it.
    SQLite keys the text itself; PostgreSQL its md5, since a btree entry holds at most about 2.7 kB and a
    customer message of 2,000 Chinese characters is 6 kB.

    SQLite's schema is this model's, applied at every start (bot/db.py): a file written before the key
    may hold copies, which would make the index fail to build and the bot fail to start, so the
    statement first closes every copy after the first (done at its own creation: one 留言 stays open,
    as the key now keeps it), only while the index is missing. PostgreSQL's migration does the same, once.
    """

    def __init__(self) -> None:
        super().__init__(fields=("conversation_id", "text"), name=OPEN_LEFT_MESSAGE_KEY)

    def get_sql(self, schema_generator: BaseSchemaGenerator, model: type[Model], safe: bool) -> str:
        exists = "IF NOT EXISTS " if safe else ""
        if schema_generator.DIALECT == "sqlite":
            # the index missing is the outer loop of a cross join: once it exists, no row is read
            close_copies = ("UPDATE left_message SET done_at = created_at WHERE id IN (SELECT later.id FROM (SELECT 1 "
                            f"WHERE NOT EXISTS (SELECT 1 FROM sqlite_master WHERE name = '{self.name}')) AS missing "
                            f"CROSS JOIN left_message AS later WHERE {open_copy('later')})")
        else:
            close_copies = f"UPDATE left_message SET done_at = created_at WHERE {open_copy('left_message')}"
        return (f'{close_copies};\nCREATE UNIQUE INDEX {exists}"{self.name}" ON "{model._meta.db_table}" '
                f"({open_key_columns(schema_generator.DIALECT)}) WHERE {OPEN_SQL};")


def open_key_columns(dialect: str) -> str:
    """`OpenLeftMessageKey`'s columns on `dialect` ("sqlite" or "postgres"), as an index or a conflict target
    names them: the text itself on SQLite, its md5 on PostgreSQL."""
    return '"conversation_id", "text"' if dialect == "sqlite" else '"conversation_id", md5("text")'


#: What the key covers: a 留言 still open, with a text (an erased one has none).
OPEN_SQL = "done_at IS NULL AND text <> ''"


def open_copy(alias: str) -> str:
    """The row `alias` of left_message is an open 留言 with an earlier open one of the same text in its
    conversation: a copy the key refuses."""
    return (f"{alias}.done_at IS NULL AND {alias}.text <> '' AND EXISTS (SELECT 1 FROM left_message AS earlier "
            f"WHERE earlier.conversation_id = {alias}.conversation_id AND earlier.text = {alias}.text "
            f"AND earlier.done_at IS NULL AND earlier.id < {alias}.id)")


class LeftMessage(Model):
    """留言: a customer's message for staff when nobody is free or outside staffed hours. Open until a person
    answers its conversation (`done_at`, docs/handoff-sla.md "When a 留言 is done")."""

    id = fields.IntField(primary_key=True)
    # Indexed: a conversation's open 留言 are closed together once a person answers it
    # (handlers/handoff/service.py `Handoff.answered`), and retention deletes by conversation
    conversation = fields.ForeignKeyField("models.Conversation", related_name="left_messages", db_index=True)
    text = fields.TextField()
    promised_by = fields.DatetimeField(description="when the customer was told a person would answer")
    done_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField()

    class Meta:
        table = "left_message"
        indexes = (OpenLeftMessageKey(),)
