"""The six steps of a complaint and who may take each (docs/rules.md R-COMPLAINT-5..7).

登记 register → 判断 judge → 调查 investigate → 审批 approve → 处理 handle → 总结 review → closed.
Each step names the role that acts on it; roles higher up the chain (agent → supervisor → admin;
the product owner answers to the admin) may act too, and an overdue step is escalated one role up.
"""

from __future__ import annotations

from dataclasses import dataclass

STEPS = ("register", "judge", "investigate", "approve", "handle", "review")
CLOSED = "closed"
CATEGORIES = ("product", "service", "logistics", "price", "other")
#: The next role up, for acting and for escalating an overdue step.
LEVEL_UP = {"agent": "supervisor", "product": "admin", "supervisor": "admin"}


class StepError(Exception):
    """The action does not fit the complaint's step, or lacks what the step needs."""


class NotAllowed(Exception):
    """The staff member's role may not take this action now."""


@dataclass(frozen=True)
class Action:
    name: str
    step: str


ACTIONS = {
    "accept": Action("accept", "register"),
    "judge": Action("judge", "judge"),
    "investigate": Action("investigate", "investigate"),
    "approve": Action("approve", "approve"),
    "handle": Action("handle", "handle"),
    "review": Action("review", "review"),
}


def step_role(step: str, category: str) -> str:
    """Who owns a step: investigation by the product owner for product problems, else a supervisor."""
    if step == "investigate":
        return "product" if category == "product" else "supervisor"
    return {"register": "agent", "judge": "supervisor", "approve": "supervisor", "handle": "agent",
            "review": "supervisor"}[step]


def roles_for(role: str) -> list[str]:
    """`role` and every role above it."""
    chain = [role]
    while chain[-1] in LEVEL_UP:
        chain.append(LEVEL_UP[chain[-1]])
    return chain


def may_act(viewer_role: str, step: str, category: str) -> bool:
    return step in STEPS and viewer_role in roles_for(step_role(step, category))


def allowed_actions(viewer_role: str, step: str, category: str) -> list[str]:
    return [name for name, action in ACTIONS.items()
            if action.step == step and may_act(viewer_role, step, category)]
