"""Database models (tortoise-orm). SQLite by default, PostgreSQL in production.

`MODEL_MODULES` lists every module tortoise must load; later areas append theirs here.
"""

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
