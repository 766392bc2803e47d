"""Complaints (投诉), every step taken on them, and the tasks they create (docs/rules.md R-COMPLAINT).

A complaint moves through six steps (`step`: register → judge → investigate → approve → handle →
review, then `closed`); every action is a `ComplaintStep` row with who, when and what. Two
nullable unique keys make a repeated request a no-op on SQLite and PostgreSQL alike:
- `source_key` is `<channel>:<message id>` of the message that registered it, so a retried
  delivery finds the complaint instead of registering another;
- `open_key` is `<customer id>:<matter>` while the complaint is open (NULL once closed), so a
  second complaint by the same customer about the same matter is added to the first.

`closed_at` is when the complaint left the process (resolved and reviewed, or judged not to
stand); other areas (callbacks: 投诉回访) read it.
"""

from tortoise import fields
from tortoise.models import Model


class Complaint(Model):
    id = fields.IntField(primary_key=True)
    number = fields.CharField(max_length=24, unique=True, description="TS<YYYYMMDD><NNNN>, shop-local date")
    customer = fields.ForeignKeyField("models.Customer", related_name="complaints")
    conversation = fields.ForeignKeyField("models.Conversation", related_name="complaints",
                                          null=True, on_delete=fields.SET_NULL)
    channel = fields.CharField(max_length=16)
    contact = fields.CharField(max_length=64, null=True, description="phone or how to reach the customer")
    content = fields.TextField(default="", description="what happened, in the customer's words")
    desired_outcome = fields.CharField(max_length=200, null=True, description="想要得到的解决结果")
    category = fields.CharField(max_length=16, default="other", description="product, service, logistics, price, other")
    cause = fields.TextField(null=True, description="found during investigation")
    solution = fields.TextField(null=True, description="what the supervisor approved")
    order = fields.ForeignKeyField("models.Order", related_name="complaints",
                                   null=True, on_delete=fields.SET_NULL)
    matter = fields.CharField(max_length=64, description="what it is about: the order number, else the category")
    topic = fields.CharField(max_length=64, null=True, description="what several customers share: sku:<product>")
    accused_agent = fields.ForeignKeyField("models.Agent", related_name="complaints_against",
                                           null=True, on_delete=fields.SET_NULL)
    owner = fields.ForeignKeyField("models.Agent", related_name="complaints_owned",
                                   null=True, on_delete=fields.SET_NULL)
    severity = fields.CharField(max_length=8, default="normal", description="normal, major")
    major_reasons = fields.JSONField(default=list, description="media, platform, repeat, protest, return, "
                                                                "collective, staff")
    serious = fields.BooleanField(default=False, description="the accused agent's third service complaint "
                                                             "in a month")
    step = fields.CharField(max_length=16, default="register")
    step_due_at = fields.DatetimeField(null=True)
    escalated_to = fields.CharField(max_length=16, null=True, description="role the overdue step went up to")
    reply_by = fields.DatetimeField(description="when the customer was promised to hear back")
    close_reason = fields.TextField(null=True)
    source_key = fields.CharField(max_length=160, unique=True, null=True)
    open_key = fields.CharField(max_length=120, unique=True, null=True)
    created_at = fields.DatetimeField()
    resolved_at = fields.DatetimeField(null=True, description="the customer accepted the solution")
    closed_at = fields.DatetimeField(null=True)

    class Meta:
        table = "complaint"


class ComplaintStep(Model):
    id = fields.IntField(primary_key=True)
    complaint = fields.ForeignKeyField("models.Complaint", related_name="steps")
    action = fields.CharField(max_length=16)
    from_step = fields.CharField(max_length=16, null=True)
    to_step = fields.CharField(max_length=16, null=True)
    actor = fields.CharField(max_length=48, description="customer:<id>, agent:<id>, system")
    note = fields.TextField(default="")
    at = fields.DatetimeField()

    class Meta:
        table = "complaint_step"


class ComplaintTask(Model):
    """Work a complaint owes by a deadline: the legal warning (法务预警报备) and the result feedback."""

    id = fields.IntField(primary_key=True)
    complaint = fields.ForeignKeyField("models.Complaint", related_name="tasks")
    kind = fields.CharField(max_length=16, description="legal, feedback")
    due_at = fields.DatetimeField()
    done_at = fields.DatetimeField(null=True)
    done_by = fields.ForeignKeyField("models.Agent", related_name="complaint_tasks",
                                     null=True, on_delete=fields.SET_NULL)
    note = fields.TextField(default="")
    created_at = fields.DatetimeField()

    class Meta:
        table = "complaint_task"
        unique_together = (("complaint", "kind"),)
