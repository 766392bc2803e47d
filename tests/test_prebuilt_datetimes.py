"""A datetime a prebuilt read parses (`bot.prebuilt_sql.datetime_value`, `load`) is the value the ORM's own
field gives for the same column: the same instant, in the same zone object, for the text SQLite keeps and
for texts in other forms (another offset, no offset, a `T`, a `Z`, a date alone); a text no parser takes
fails as the field fails."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from bot.prebuilt_sql import datetime_value
from handlers.handoff import reads
from models.conversation import Conversation
from models.customer import Customer
from models.handoff import LeftMessage

FIELD = LeftMessage._meta.fields_map["promised_by"]
TEXTS = [
    "2026-11-28 22:19:01.123456+00:00",  # what tortoise's adapter writes for an aware UTC datetime
    "2026-11-28 22:19:01+00:00",
    "2026-11-29 06:19:01.5+08:00",
    "2026-11-28 22:19:01",
    "2026-11-28T22:19:01Z",
    "2026-11-28",
]


@pytest.mark.parametrize("text", TEXTS)
def test_a_text_parses_as_the_field_parses_it(text: str) -> None:
    ours, the_orms = datetime_value(FIELD, text), FIELD.to_python_value(text)
    assert (ours, ours.tzinfo, ours.utcoffset()) == (the_orms, the_orms.tzinfo, the_orms.utcoffset())


def test_values_that_are_not_text_go_to_the_field_as_they_are() -> None:
    moment = datetime(2026, 11, 28, 22, 19, 1, tzinfo=timezone(timedelta(hours=8)))
    assert datetime_value(FIELD, moment).tzinfo == FIELD.to_python_value(moment).tzinfo
    assert datetime_value(FIELD, None) is None


def test_a_text_no_parser_takes_fails_as_in_the_field() -> None:
    with pytest.raises(ValueError) as the_orms:
        FIELD.to_python_value("not a time")
    with pytest.raises(type(the_orms.value)):
        datetime_value(FIELD, "not a time")


async def test_a_loaded_row_equals_the_orms(database: None) -> None:
    at = datetime(2026, 11, 28, 22, 19, 1, 123456, tzinfo=UTC)
    customer = await Customer.create(channel="webchat", external_id="u-1", created_at=at)
    conversation = await Conversation.create(key="webchat:u-1", customer=customer, channel="webchat", opened_at=at,
                                             status="queued", queued_at=at + timedelta(seconds=5))
    loaded, the_orms = await reads.conversation(conversation.id), await Conversation.get(id=conversation.id)
    for name in Conversation._meta.fields_db_projection:
        ours, theirs = getattr(loaded, name), getattr(the_orms, name)
        assert (ours, getattr(ours, "tzinfo", None)) == (theirs, getattr(theirs, "tzinfo", None)), name
    queued = await reads.queued_conversation(conversation.id)
    assert (queued.queued_at, queued.queued_at.tzinfo) == (the_orms.queued_at, the_orms.queued_at.tzinfo)
