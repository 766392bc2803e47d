"""What the reports keep when retention deletes the records they were counted from (docs/rules.md R-RETENTION-3).

Messages are deleted once their customer has been out of contact longer than the retention; the
reports still need how many were written, per day (shop time), channel and author. Each complete day
is counted once into `MessageDayCount` and marked in `SealedDay` before any of its messages may be
deleted; from then on reports read that day from here, so a month's totals never change.
"""

from tortoise import fields
from tortoise.models import Model


class SealedDay(Model):
    day = fields.DateField(primary_key=True, description="shop-local day whose message counts are kept")
    sealed_at = fields.DatetimeField()

    class Meta:
        table = "report_sealed_day"


class MessageDayCount(Model):
    id = fields.IntField(primary_key=True)
    day = fields.DateField(db_index=True)
    channel = fields.CharField(max_length=16)
    author = fields.CharField(max_length=32, description="customer, bot, system, agent:<id>")
    count = fields.IntField()

    class Meta:
        table = "report_message_day"
        unique_together = (("day", "channel", "author"),)
