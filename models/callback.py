"""Satisfaction callbacks (回访, docs/rules.md R-CALLBACK).

A `Callback` is one thing the shop owes a customer a call about: a purchase (3/30/60 days after),
a first contact without a purchase (3/15 days), a resolved after-sales case, a closed complaint.
It is created once, by its `source_key` (the sweep may run any number of times). A
`CallbackTask` is one contact with the customer that covers every callback due at that time: at
most one task per customer is open (`open_key` holds the customer id while it is open), so a
customer due for two callbacks is asked once. The task carries how the customer was reached
(chat or a staff phone call), what they answered and when.
"""

from tortoise import fields
from tortoise.models import Model

CALLBACK_KINDS = ("buyer", "prospect", "after_sales", "complaint")
#: scheduled: waiting for its time; chat: the question is in the chat; visit: waiting for a web-chat
#: visitor to come back; phone: on the staff's call list; done: the customer answered; failed: not reached.
TASK_STATES = ("scheduled", "chat", "visit", "phone", "done", "failed")
OPEN_TASK_STATES = TASK_STATES[:4]
RATINGS = ("satisfied", "neutral", "unsatisfied")


class CallbackTask(Model):
    id = fields.IntField(primary_key=True)
    customer = fields.ForeignKeyField("models.Customer", related_name="callback_tasks")
    state = fields.CharField(max_length=12, default="scheduled")
    way = fields.CharField(max_length=8, null=True, description="chat or phone, once decided")
    open_key = fields.IntField(unique=True, null=True, description="the customer id while the task is open")
    start_at = fields.DatetimeField(db_index=True, description="next attempt, outside rest hours")
    started_at = fields.DatetimeField(null=True)
    attempts = fields.IntField(default=0, description="phone calls that did not reach the customer")
    owner = fields.ForeignKeyField("models.Agent", related_name="callback_tasks", null=True,
                                   on_delete=fields.SET_NULL, description="who calls: the customer's last agent")
    rating = fields.CharField(max_length=12, null=True, description="satisfied, neutral, unsatisfied")
    score = fields.IntField(null=True, description="1-5 when the customer gave a number")
    comment = fields.TextField(default="", description="what the customer said with the rating")
    feedback = fields.TextField(default="", description="suggestion (satisfied) or what was wrong")
    follow_up = fields.CharField(max_length=16, null=True, description="handoff when passed to a person")
    declined = fields.BooleanField(default=False, description="reached, but did not want to answer")
    done_at = fields.DatetimeField(null=True)
    done_by = fields.CharField(max_length=32, null=True, description="customer:chat or agent:<id>")
    created_at = fields.DatetimeField()
    updated_at = fields.DatetimeField()

    class Meta:
        table = "callback_task"


class Callback(Model):
    id = fields.IntField(primary_key=True)
    customer = fields.ForeignKeyField("models.Customer", related_name="callbacks")
    task = fields.ForeignKeyField("models.CallbackTask", related_name="callbacks", null=True,
                                  on_delete=fields.SET_NULL)
    kind = fields.CharField(max_length=12, description="buyer, prospect, after_sales, complaint")
    #: what created it, e.g. order:<id>:30, prospect:<customer id>:3, case:<id>, complaint:<number>
    source_key = fields.CharField(max_length=80, unique=True)
    subject = fields.CharField(max_length=40, default="", description="order, case or complaint number")
    offset_days = fields.IntField(null=True, description="buyer/prospect: days after the purchase or contact")
    due_at = fields.DatetimeField(db_index=True, description="when it is due, outside rest hours")
    deadline_at = fields.DatetimeField(description="done by then counts as on time")
    created_at = fields.DatetimeField()

    class Meta:
        table = "callback"
