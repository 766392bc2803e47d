"""Case facts turned into template fields: labels for kinds, steps and refund methods, money, times.

Every word a customer reads comes from `scripts_zh/after_sales.yaml`; this module only picks the
key (`kind_<kind>`, `step_<state>`, `next_<state>`, `method_<method>`) and formats numbers.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.templates import Templates, spec
from handlers.after_sales.machine import KINDS, REFUND_METHODS, RETURN_KINDS, STATES
from handlers.after_sales.settings import AfterSalesSettings
from models.case import AfterSalesCase

OUTCOMES = ("refunded", "compensated", "exchanged", "reshipped", "extended", "answered")

SCRIPTS = (
    *(spec(f"after_sales.kind_{kind}") for kind in KINDS),
    *(spec(f"after_sales.step_{state}") for state in STATES),
    *(spec(f"after_sales.next_{state}") for state in STATES),
    spec("after_sales.next_approved_return"),
    *(spec(f"after_sales.method_{method}") for method in REFUND_METHODS),
    spec("after_sales.return_address"),
)


def label(templates: Templates, group: str, name: str) -> str:
    return templates.render_safe(f"after_sales.{group}_{name}")


def yuan(fen: int | None) -> str:
    fen = fen or 0
    return f"{fen // 100}.{fen % 100:02d}"


def local_time(moment: datetime | None, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%m-%d %H:%M") if moment else ""


def local_date(moment: datetime | None, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%Y-%m-%d") if moment else ""


def next_step(templates: Templates, case: AfterSalesCase) -> str:
    if case.state == "approved" and case.kind in RETURN_KINDS and not case.immediate_review:
        return templates.render_safe("after_sales.next_approved_return")
    return label(templates, "next", case.state)


def return_address(settings: AfterSalesSettings, templates: Templates) -> str:
    return settings.return_address or templates.render_safe("after_sales.return_address")


def case_fields(case: AfterSalesCase, order_no: str, templates: Templates) -> dict[str, Any]:
    """The fields every case template may use."""
    return {
        "case_no": case.case_no, "order_no": order_no, "kind_label": label(templates, "kind", case.kind),
        "step": label(templates, "step", case.state), "next": next_step(templates, case),
    }
