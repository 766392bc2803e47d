"""What the WeCom 微信客服 channel must not lose with the store: where each kf account's sync stopped.

`sync_msg` pages from a cursor; kept in the database, a restart (or a lost Redis) resumes after the
last page handled instead of WeCom's oldest kept message, which would re-read three days of messages.
"""

from tortoise import fields
from tortoise.models import Model


class KfCursor(Model):
    open_kfid = fields.CharField(max_length=64, primary_key=True)
    cursor = fields.CharField(max_length=256, description="next_cursor of the last page handled")
    updated_at = fields.DatetimeField()

    class Meta:
        table = "wecom_kf_cursor"
