"""What the WeCom 微信客服 (kf) channel must not lose with the store.

- `KfCursor`: where each kf account's sync stopped. `sync_msg` pages from a cursor; kept in the
  database, a restart (or a lost Redis) resumes after the last page handled instead of WeCom's oldest
  kept message, which would re-read three days of messages.
- `KfCustomer`: which kf account (open_kfid) each customer last wrote to. `send_msg` needs it, and a
  customer's kf account comes only with their messages: kept in the store alone, a restart (or another
  worker on an in-process store) could answer none of the customers who wrote before it.
"""

from tortoise import fields
from tortoise.models import Model


class KfCursor(Model):
    open_kfid = fields.CharField(max_length=64, primary_key=True)
    cursor = fields.CharField(max_length=256, description="next_cursor of the last page handled")
    updated_at = fields.DatetimeField()

    class Meta:
        table = "wecom_kf_cursor"


class KfCustomer(Model):
    external_userid = fields.CharField(max_length=128, primary_key=True)
    open_kfid = fields.CharField(max_length=64, description="the kf account the customer last wrote to")
    updated_at = fields.DatetimeField()

    class Meta:
        table = "wecom_kf_customer"
