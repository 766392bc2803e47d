"""What the handoff to people leaves behind: SLA events, handover notes, messages left for staff.

Every SLA event is a row with its times, so reports can say who kept the promise. The customer's
promises (`person_reached`, `acknowledged`, `person_answered`, and `breach` when a question lapsed)
carry `due_at`, `at`, `waited_s` and `within`; the others record what happened (queued, assigned,
greeting on the agent's behalf, holding message sent or skipped, reassigned and its announcement
skipped, agent set away, alert).
"""

from tortoise import fields
from tortoise.models import Model

SLA_EVENT_KINDS = (
    "queued", "assigned", "person_reached", "acknowledged", "person_answered", "auto_greeting",
    "holding_message", "holding_skipped", "near_breach", "breach", "lapse", "reassigned", "announce_skipped",
    "away", "alert", "handed_back", "released_idle", "transferred", "ended_elsewhere",
)


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


class LeftMessage(Model):
    """留言: a customer's message for staff when nobody is free or outside staffed hours."""

    id = fields.IntField(primary_key=True)
    # Indexed: a 留言 is looked for among its conversation's open ones before it is written
    # (handlers/handoff/reads.py LEFT_MESSAGE_SQL), and retention deletes by conversation
    conversation = fields.ForeignKeyField("models.Conversation", related_name="left_messages", db_index=True)
    text = fields.TextField()
    promised_by = fields.DatetimeField(description="when the customer was told a person would answer")
    done_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField()

    class Meta:
        table = "left_message"
