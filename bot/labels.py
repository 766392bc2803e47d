"""The Chinese label of every code the console may show, from scripts_zh (served by `GET /api/labels`,
bot/web/labels.py).

Codes are the API's vocabulary (reason codes, statuses, kinds, error codes); their Chinese words live
in `scripts_zh/labels.yaml` under `<group>.<code>` (`case_state.requested: 前期沟通`,
`error.login_required: 请先登录`), so the console never keeps its own copy and the shop edits them
like any template. Every area declares the labels of its own codes with `label_specs` in its
`scripts`, so `lint-scripts` (and tests/test_templates.py) fail when a code has no label. Intents
are labelled in `scripts_zh/intent_labels.yaml` (the teaching panel's picker) and served here too.
"""

from __future__ import annotations

from collections.abc import Iterable

from bot.templates import ScriptSpec, Templates, spec
from models.agent import PRESENCES, ROLES
from models.conversation import STATUSES

FILE = "labels"
INTENT_FILE = "intent_labels"
#: Error codes raised by bot/ itself (areas declare their own).
CORE_ERRORS = (
    "invalid_body", "invalid_query", "invalid_text", "invalid_value", "invalid_multipart", "conflict",
    "internal_error", "not_found", "method_not_allowed", "body_too_large", "body_timeout", "server_busy",
    "service_unavailable", "login_required", "wrong_credentials", "too_many_logins", "csrf_failed",
    "role_forbidden", "metrics_token_required", "metrics_loopback_only", "webchat_disabled",
    "webchat_not_configured", "visitor_token_required", "visitor_token_invalid", "visitor_mismatch",
    "identity_not_configured", "identity_mismatch", "text_too_long", "no_such_panel", "account_disabled",
    "wrong_password", "weak_password", "cross_site_socket",
)
CHANNELS = ("webchat", "wechat", "wecom", "terminal")


def label_key(group: str, code: str) -> str:
    return f"{FILE}.{group}.{code}"


def label_specs(group: str, codes: Iterable[str]) -> tuple[ScriptSpec, ...]:
    """The templates an area needs so that each of `codes` has a label in `group`."""
    return tuple(spec(label_key(group, code)) for code in codes)


def intent_label_key(intent: str) -> str:
    return f"{INTENT_FILE}." + intent.replace(".", "_")


def intent_label(templates: Templates, intent: str) -> str:
    key = intent_label_key(intent)
    return templates.render(key) if key in templates else intent


SCRIPTS = (
    *label_specs("error", CORE_ERRORS), *label_specs("role", ROLES), *label_specs("presence", PRESENCES),
    *label_specs("conversation_status", STATUSES), *label_specs("channel", CHANNELS),
)


def all_labels(templates: Templates, intents: Iterable[str]) -> dict[str, dict[str, str]]:
    groups: dict[str, dict[str, str]] = {}
    for name, text in templates.section(FILE).items():
        group, _, code = name.partition(".")
        groups.setdefault(group, {})[code] = text
    groups["intent"] = {intent: intent_label(templates, intent) for intent in intents}
    return dict(sorted(groups.items()))
