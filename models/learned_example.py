"""The shop's learned examples: messages an agent labelled (console) or the shop imported (CLI).

They train the intent model beside the written corpus (docs/intents.md). The text is stored with
order numbers, phone numbers and names already stripped (bot/pii.py), so nothing here identifies a
customer. `digest` (of the stripped text) is unique: the same message is learned once, and a later
label for it replaces the earlier one.
"""

from tortoise import fields
from tortoise.models import Model


class LearnedExample(Model):
    id = fields.IntField(primary_key=True)
    text = fields.CharField(max_length=500, description="order numbers, phones and names stripped")
    digest = fields.CharField(max_length=64, unique=True, description="sha256 of the stripped text")
    intent = fields.CharField(max_length=32)
    source = fields.CharField(max_length=16, description="console or import")
    agent = fields.CharField(max_length=64, null=True, description="who labelled it in the console")
    guess = fields.CharField(max_length=32, null=True, description="the bot's intent before the label")
    created_at = fields.DatetimeField()
    updated_at = fields.DatetimeField()

    class Meta:
        table = "learned_example"
