"""An order as the shop's order source knows it (CSV/XLSX export, the ERP, or the demo shop).

Upserted by order number; amounts are integer fen (never floats). A customer owns an order through
their channel identity (`customer`) or a verified phone number; after-sales cases and referral
conversions both read orders from here.

`tracking_events` is the parcel's movement as the order source last reported it (newest last,
`{"at": ISO time, "status": text}`); the after-sales tracking source reads it, so the bot can tell
a parcel that is moving from one that is stuck without calling a courier API. `receipt_due_at` is
when the marketplace confirms receipt automatically; 延长收货 moves it and sets
`receipt_extended_at`, which also keeps the daily job from extending the same parcel twice.
"""

from tortoise import fields
from tortoise.models import Model

ORDER_STATUSES = ("pending", "paid", "shipped", "received", "closed", "refunded")


class Order(Model):
    id = fields.IntField(primary_key=True)
    order_no = fields.CharField(max_length=40, unique=True)
    customer = fields.ForeignKeyField("models.Customer", related_name="orders", null=True)
    buyer_name = fields.CharField(max_length=64, null=True)
    phone = fields.CharField(max_length=32, null=True, db_index=True)
    items = fields.JSONField(default=list, description="[{sku, name, qty, price_fen}]")
    total_fen = fields.BigIntField(default=0)
    refunded_fen = fields.BigIntField(default=0)
    status = fields.CharField(max_length=16, default="paid")
    paid_at = fields.DatetimeField(null=True)
    shipped_at = fields.DatetimeField(null=True)
    received_at = fields.DatetimeField(null=True)
    courier = fields.CharField(max_length=32, null=True)
    tracking_no = fields.CharField(max_length=64, null=True)
    tracking_events = fields.JSONField(default=list, description="[{at, status}], oldest first")
    receipt_due_at = fields.DatetimeField(null=True, description="automatic receipt confirmation")
    receipt_extended_at = fields.DatetimeField(null=True, description="延长收货 recorded")
    source = fields.CharField(max_length=16, default="import", description="import, erp, demo")
    updated_at = fields.DatetimeField()

    class Meta:
        table = "shop_order"
