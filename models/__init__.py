"""Database models (tortoise-orm). SQLite by default, PostgreSQL in production.

`MODEL_MODULES` lists every module tortoise must load; later areas append theirs here.
Tortoise reads the models' `#:` comments through models/field_comments.py (the same comments, read
for less: the import of every process that starts the bot pays it).
"""

from models.field_comments import install as _read_comments_once_per_file

_read_comments_once_per_file()

MODEL_MODULES = [
    "models.customer",
    "models.conversation",
    "models.message",
    "models.order",
    "models.agent",
    "models.handoff",
    "models.referral",
    "models.case",
    "models.learned_example",
    "models.inbox",
    "models.wecom",
    "models.report",
    "models.complaint",
    "models.archive",
    "models.callback",
]
