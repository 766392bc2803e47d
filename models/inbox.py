"""Inbound messages the bot has promised to answer later: the durable side of "answered `success`".

WeChat stops retrying a message once it gets `success`, so from then on the bot alone owns it. The
channel writes an `InboxEntry` before it answers `success` (and before a long answer's tail goes out),
and marks it done once every part was handed to the platform. An entry still pending when its claim
runs out (the worker died, the conversation lock timed out, Redis or the WeChat API was down) is
taken up again by any worker's retry loop (bot/channels/wechat_inbox.py).
"""

from tortoise import fields
from tortoise.models import Model


class InboxEntry(Model):
    id = fields.IntField(primary_key=True)
    channel = fields.CharField(max_length=16)
    delivery_key = fields.CharField(max_length=200, unique=True, description="the channel's dedupe key")
    payload = fields.JSONField(description="the Inbound, to dispatch again if it never was")
    status = fields.CharField(max_length=16, default="pending", description="pending, done, failed")
    attempts = fields.IntField(default=0)
    claimed_until = fields.DatetimeField(db_index=True, description="a worker owns the entry until then")
    created_at = fields.DatetimeField()
    finished_at = fields.DatetimeField(null=True)
    last_error = fields.CharField(max_length=64, null=True, description="exception type, never customer text")

    class Meta:
        table = "inbox_entry"
