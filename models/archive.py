"""The customer archive (客户档案): one person across channels, and who read what of it.

`models/customer.py` rows are per channel (a WeChat openid, a web-chat visitor); a `Person` joins
them (`PersonLink`, one per customer row) and carries what staff keep about the person: contact
details, member status, class, secrecy mark, notes and tags (docs/rules.md R-ARCHIVE). Orders,
cases and referrals stay where their areas keep them and are read through the links, so the
archive is current after every contact without copying anything.

A merge (`ArchiveMerge`) moves links, notes and tags from one person to another and remembers
exactly which, so undoing it moves exactly those back. Reads are recorded in `AccessLog` (who,
whose, which part, when, why); access requests in `AccessRequest`; hand-overs of a departing agent
in `StaffLeave`; erasures in `Erasure`, which holds counts only, never the erased data.
"""

from tortoise import fields
from tortoise.models import Model

SECRECY = ("normal", "confidential", "secret")  # 普通, 機密 (supervisors and up), 絕密 (admins)
REQUEST_STATUSES = ("pending", "approved", "refused")
REQUEST_KINDS = ("read", "export")


class Person(Model):
    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=64, null=True, description="name staff recorded")
    phone = fields.CharField(max_length=32, null=True, description="verified phone, normal form")
    address = fields.CharField(max_length=255, null=True)
    member_level = fields.CharField(max_length=16, null=True, description="会员 level; null: not a member")
    secrecy = fields.CharField(max_length=16, default="normal")
    class_band = fields.CharField(max_length=4, null=True, description="internal: A/B/C/D")
    class_score = fields.FloatField(null=True, description="internal: weighted score 0..100")
    class_factors = fields.JSONField(default=dict, description="internal: the score's inputs")
    class_at = fields.DatetimeField(null=True)
    #: The record this one was merged into (a plain id: the migration tool cannot order a self-reference).
    merged_into_id = fields.IntField(null=True, db_index=True)
    erased_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField()
    updated_at = fields.DatetimeField()

    class Meta:
        table = "archive_person"


class PersonLink(Model):
    id = fields.IntField(primary_key=True)
    customer = fields.OneToOneField("models.Customer", related_name="archive_link")
    person = fields.ForeignKeyField("models.Person", related_name="links")
    how = fields.CharField(max_length=16, description="new, phone (same verified phone), merge")
    phone_seen = fields.CharField(max_length=32, null=True, description="the customer's phone when last linked")
    linked_at = fields.DatetimeField()

    class Meta:
        table = "archive_person_link"


class ArchiveMerge(Model):
    id = fields.IntField(primary_key=True)
    kept = fields.ForeignKeyField("models.Person", related_name="merges_kept")
    absorbed = fields.ForeignKeyField("models.Person", related_name="merges_absorbed")
    moved = fields.JSONField(description='{"links": [...], "notes": [...], "tags": [...]} ids moved')
    reason = fields.CharField(max_length=32, description="staff or phone")
    by = fields.ForeignKeyField("models.Agent", related_name="archive_merges", null=True)
    at = fields.DatetimeField()
    undone_at = fields.DatetimeField(null=True)
    undone_by = fields.ForeignKeyField("models.Agent", related_name="archive_unmerges", null=True)

    class Meta:
        table = "archive_merge"


class ArchiveNote(Model):
    id = fields.IntField(primary_key=True)
    person = fields.ForeignKeyField("models.Person", related_name="notes")
    author = fields.ForeignKeyField("models.Agent", related_name="archive_notes", null=True)
    text = fields.TextField()
    internal = fields.BooleanField(default=True, description="internal notes never reach the customer")
    created_at = fields.DatetimeField()

    class Meta:
        table = "archive_note"


class ArchiveTag(Model):
    id = fields.IntField(primary_key=True)
    person = fields.ForeignKeyField("models.Person", related_name="tags")
    tag = fields.CharField(max_length=32)

    class Meta:
        table = "archive_tag"
        unique_together = (("person", "tag"),)


class AccessRequest(Model):
    id = fields.IntField(primary_key=True)
    person = fields.ForeignKeyField("models.Person", related_name="access_requests")
    requester = fields.ForeignKeyField("models.Agent", related_name="access_requests")
    kind = fields.CharField(max_length=8, default="read", description="read or export")
    parts = fields.JSONField(description="archive parts asked for")
    reason = fields.TextField()
    status = fields.CharField(max_length=12, default="pending")
    decided_by = fields.ForeignKeyField("models.Agent", related_name="access_decisions", null=True)
    decided_at = fields.DatetimeField(null=True)
    expires_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField()

    class Meta:
        table = "archive_access_request"


class AccessLog(Model):
    """One read (or reveal, export, change) of one part of one person's archive."""

    id = fields.IntField(primary_key=True)
    at = fields.DatetimeField(db_index=True)
    staff = fields.ForeignKeyField("models.Agent", related_name="archive_reads", null=True, on_delete=fields.SET_NULL)
    staff_name = fields.CharField(max_length=64, description="kept as it was at the time")
    person_id = fields.IntField(db_index=True, description="no foreign key: the log outlives erasures")
    part = fields.CharField(max_length=32)
    action = fields.CharField(max_length=16, description="read, search, reveal, export, write, merge, erase")
    via = fields.CharField(max_length=8, description="api, console, cli")
    basis = fields.CharField(max_length=16, description="role, holding, recent, request, admin")
    request = fields.ForeignKeyField("models.AccessRequest", related_name="reads", null=True,
                                     on_delete=fields.SET_NULL)
    reason = fields.CharField(max_length=255, default="")

    class Meta:
        table = "archive_access_log"


class StaffLeave(Model):
    """离职交接: who left, who took over, how much moved."""

    id = fields.IntField(primary_key=True)
    from_agent = fields.ForeignKeyField("models.Agent", related_name="leaves")
    to_agent = fields.ForeignKeyField("models.Agent", related_name="takeovers")
    counts = fields.JSONField(description='{"customers": n, "conversations": n, "cases": n, ...}')
    by = fields.CharField(max_length=64, description="staff name or cli")
    at = fields.DatetimeField()

    class Meta:
        table = "archive_staff_leave"


class Erasure(Model):
    """An erasure on request (PIPL): counts of what went, never the data."""

    id = fields.IntField(primary_key=True)
    person_id = fields.IntField()
    counts = fields.JSONField()
    by = fields.CharField(max_length=64)
    at = fields.DatetimeField()

    class Meta:
        table = "archive_erasure"
