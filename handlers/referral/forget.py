"""What referral forgets of a customer (docs/rules.md R-ARCHIVE-11 erasure, R-RETENTION-5 retention).

Referral keeps two things that say something about a person beyond the figures: the marketing tags
put on a customer (a segment they were pushed to) and the note a member of staff wrote when calling a
referred friend. Both go; referrals, rewards and pushes stay as rows so the campaign's counts and
rates still add up.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from tortoise.backends.base.client import BaseDBAsyncClient

from models.referral import CustomerTag, FollowUp


async def _forget(customer_ids: Sequence[int], connection: BaseDBAsyncClient, apply: bool) -> Mapping[str, int]:
    ids = list(customer_ids)
    tags = CustomerTag.filter(customer_id__in=ids).using_db(connection)
    notes = FollowUp.filter(referral__referred_id__in=ids, note__not_isnull=True).exclude(note="").using_db(connection)
    counts = {"referral_tags": await tags.count(), "referral_notes": await notes.count()}
    if apply:
        await tags.delete()
        await FollowUp.filter(referral__referred_id__in=ids).using_db(connection).update(note=None)
    return counts


async def erase(customer_ids: Sequence[int], connection: BaseDBAsyncClient) -> Mapping[str, int]:
    """Erasure on request: the customers' tags and the follow-up notes about them are removed."""
    return await _forget(customer_ids, connection, apply=True)


async def retain(customer_ids: Sequence[int], connection: BaseDBAsyncClient, apply: bool) -> Mapping[str, int]:
    """Retention: the same for customers past retention; a dry run only counts."""
    return await _forget(customer_ids, connection, apply)
