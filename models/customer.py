"""A customer as one channel knows them (WeChat openid, web-chat visitor id, terminal user)."""

from tortoise import fields
from tortoise.models import Model


class Customer(Model):
    id = fields.IntField(primary_key=True)
    channel = fields.CharField(max_length=16)
    external_id = fields.CharField(max_length=128, description="openid or web-chat visitor id")
    name = fields.CharField(max_length=64, null=True)
    phone = fields.CharField(max_length=32, null=True)
    is_vip = fields.BooleanField(default=False)
    opted_out = fields.BooleanField(default=False, description="退订: no marketing pushes")
    created_at = fields.DatetimeField()
    last_inbound_at = fields.DatetimeField(null=True, description="opens WeChat's 48 h reply window")
    last_agent_id = fields.IntField(null=True, description="who served them last (一通就服务到底)")

    class Meta:
        table = "customer"
        unique_together = (("channel", "external_id"),)
