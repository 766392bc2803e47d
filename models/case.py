"""After-sales cases (售后单), their history, and their photos.

A case belongs to one order (an order has many cases, docs/rules.md R-CASE-1).
Two nullable unique keys make a repeated request a no-op in the database, on SQLite and
PostgreSQL alike (several NULLs never collide):
- `open_key` is `<order_no>:<kind>` while the case is open and NULL once it is closed, so there is
  at most one open case per order and kind;
- `source_key` is `<channel>:<message id>` of the message that filed the case, so a retried
  delivery of that message finds the case instead of filing another.

Every change (a transition, a photo, a flag, an assignment, an approval, a reminder) is a
`CaseEvent` with who, when and why. `touched_at` moves with every change except reminders, so
"stale" means nobody acted on the case.
"""

from tortoise import fields
from tortoise.models import Model


class AfterSalesCase(Model):
    id = fields.IntField(primary_key=True)
    case_no = fields.CharField(max_length=24, unique=True, description="AS<YYYYMMDD>-<NNNN>, shop-local date")
    order = fields.ForeignKeyField("models.Order", related_name="cases")
    customer = fields.ForeignKeyField("models.Customer", related_name="cases", null=True,
                                      description="who filed it; null when filed by the daily job")
    kind = fields.CharField(max_length=16, description="track, extend, damaged, missing, exchange, return, "
                                                       "refund, rights")
    state = fields.CharField(max_length=20, default="requested")
    item = fields.JSONField(null=True, description="the order item concerned; null: the whole order")
    description = fields.TextField(default="", description="what the customer said happened")
    wanted = fields.CharField(max_length=64, null=True, description="exchange: the size or colour wanted")
    requested_fen = fields.BigIntField(null=True, description="refund the customer asked for")
    outcome = fields.CharField(max_length=16, null=True)
    refund_method = fields.CharField(max_length=16, null=True, description="original, balance, gift_card, alipay")
    amount_fen = fields.BigIntField(null=True, description="refunded or compensated")
    approved_fen = fields.BigIntField(null=True, description="compensation a supervisor approved beforehand")
    approved_by = fields.ForeignKeyField("models.Agent", related_name="approved_cases", null=True)
    reject_reason = fields.TextField(null=True)
    immediate_review = fields.BooleanField(default=False, description="初步鉴定: not the customer's doing")
    escalation = fields.CharField(max_length=32, null=True)
    assignee = fields.ForeignKeyField("models.Agent", related_name="cases", null=True)
    open_key = fields.CharField(max_length=80, unique=True, null=True)
    source_key = fields.CharField(max_length=160, unique=True, null=True)
    created_at = fields.DatetimeField()
    touched_at = fields.DatetimeField()
    resolved_at = fields.DatetimeField(null=True)
    satisfaction_due_at = fields.DatetimeField(null=True, description="satisfaction follow-up (回访) due")

    class Meta:
        table = "after_sales_case"


class CaseEvent(Model):
    id = fields.IntField(primary_key=True)
    case = fields.ForeignKeyField("models.AfterSalesCase", related_name="events")
    action = fields.CharField(max_length=16, description="filed, transition, photo, flag, assign, approve, remind")
    from_state = fields.CharField(max_length=20, null=True)
    to_state = fields.CharField(max_length=20, null=True)
    actor = fields.CharField(max_length=48, description="customer:<id>, agent:<id>, system")
    reason = fields.TextField(default="")
    data = fields.JSONField(default=dict)
    at = fields.DatetimeField()

    class Meta:
        table = "after_sales_event"


class CasePhoto(Model):
    id = fields.IntField(primary_key=True)
    case = fields.ForeignKeyField("models.AfterSalesCase", related_name="photos")
    url = fields.CharField(max_length=512)
    source_key = fields.CharField(max_length=160, description="<channel>:<message id or upload digest>")
    created_at = fields.DatetimeField()

    class Meta:
        table = "after_sales_photo"
        unique_together = (("case", "source_key"),)
