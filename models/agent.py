"""Staff who use the console and the APIs: online agents, supervisors, admins.

Passwords are stored only as Argon2 hashes (memory-hard); API tokens only as SHA-256 digests, so a
leaked database gives neither.
"""

from tortoise import fields
from tortoise.models import Model

#: `product` is the product owner (产品负责人), who investigates product complaints (docs/rules.md R-COMPLAINT-5).
ROLES = ("agent", "supervisor", "admin", "product")
#: Roles that oversee agents: they act on anyone's conversations, cases and callbacks.
SUPERVISORS = ("supervisor", "admin")
#: Roles that serve customers: only they go online, take, are handed or transferred conversations (docs/handoff-sla.md).
SERVING = ("agent", *SUPERVISORS)
PRESENCES = ("online", "away", "offline")


class Agent(Model):
    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=64, unique=True, description="login name, internal")
    display_name = fields.CharField(max_length=32, null=True, description="昵称 customers see")
    role = fields.CharField(max_length=16, default="agent")
    password_hash = fields.CharField(max_length=255)
    api_token_digest = fields.CharField(max_length=64, null=True, unique=True)
    capacity = fields.IntField(default=5, description="most conversations held at once")
    presence = fields.CharField(max_length=16, default="offline")
    created_at = fields.DatetimeField()
    last_seen_at = fields.DatetimeField(null=True)
    #: False once the staff member left (离职交接): the login is refused (docs/rules.md R-ARCHIVE-9).
    active = fields.BooleanField(default=True)
    #: Sessions carry the epoch they were opened in; raising it ends every session at once (R-ARCHIVE-10).
    session_epoch = fields.IntField(default=0)

    class Meta:
        table = "agent"
