"""Who may see which complaint (docs/rules.md R-COMPLAINT-8, R-PRIV-2).

Every path that lists, shows, searches or exports complaints (console, API, CLI, other areas)
starts from `visible_to`, so "never to the accused" is decided in one place: a complaint about
agent X is invisible to X whatever X's role. Beyond that an agent sees the complaints they own,
the product owner product complaints and their own, supervisors and admins all.
"""

from __future__ import annotations

from tortoise.expressions import Q
from tortoise.queryset import QuerySet

from models.agent import Agent
from models.complaint import Complaint


def visible_to(viewer: Agent) -> QuerySet[Complaint]:
    not_accused = Q(accused_agent_id__isnull=True) | ~Q(accused_agent_id=viewer.id)
    query = Complaint.filter(not_accused)
    if viewer.role == "agent":
        return query.filter(owner_id=viewer.id)
    if viewer.role == "product":
        return query.filter(Q(category="product") | Q(owner_id=viewer.id))
    return query


def may_see(viewer: Agent, complaint: Complaint) -> bool:
    if complaint.accused_agent_id == viewer.id:
        return False
    if viewer.role == "agent":
        return complaint.owner_id == viewer.id
    if viewer.role == "product":
        return complaint.category == "product" or complaint.owner_id == viewer.id
    return True
