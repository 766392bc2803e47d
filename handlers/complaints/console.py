"""The console's complaints tab: its ES module and the texts it reads (scripts_zh/complaints_console.yaml).

`PANEL_KEYS` lists every text the module reads, so `csbot lint-scripts` names a missing or misspelt one.
"""

from __future__ import annotations

from pathlib import Path

from bot.console_panel import ConsolePanel
from bot.templates import spec

TEXTS = "complaints_console"
PANEL = ConsolePanel("complaints", Path(__file__).parent / "static" / "complaints.js", texts=TEXTS)
PANEL_KEYS = (
    "tab", "title", "filter_open", "filter_major", "refresh", "empty", "col_number", "col_step", "col_due",
    "col_category", "col_severity", "col_order", "overdue", "escalated", "major", "serious", "step_register",
    "step_judge", "step_investigate", "step_approve", "step_handle", "step_review", "step_closed",
    "category_product", "category_service", "category_logistics", "category_price", "category_other",
    "field_content", "field_outcome", "field_contact", "field_cause", "field_solution", "field_reply_by",
    "field_note", "timeline", "tasks", "task_legal", "task_feedback", "task_done", "task_do", "action_accept",
    "action_judge_yes", "action_judge_no", "action_investigate", "action_approve_yes", "action_approve_no",
    "action_handle_yes", "action_handle_no", "action_review", "action_major", "alert_major", "alert_overdue",
    "error_not_allowed", "error_wrong_step", "error_other",
)
#: The timeline labels one action each (models/complaint.py `ComplaintStep.action`).
LOG_KEYS = tuple(f"log_{action}" for action in (
    "register", "accept", "judge", "investigate", "approve", "handle", "review", "added",
    "escalate", "major", "assign", "accused", "serious", "legal_done", "feedback_done", "handover",
))
SCRIPTS = tuple(spec(f"{TEXTS}.{key}") for key in (*PANEL_KEYS, *LOG_KEYS))
