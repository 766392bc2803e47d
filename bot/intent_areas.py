"""The intents each business area answers, declared by the area, and the precedence they make.

The matcher knows no area: handoff declares `human`, complaints `complaint`, after-sales its
`after_sales.*` and `logistics.*` families, consultation the social words and `unknown`, each in
its `Extension.intents` (bot/extension.py), and the matcher is built with the `Precedence` of all
of them. A new area adds its intents and their rank without touching the matcher.

Ranks follow docs/rules.md R-ANSWER-5: when a message fits intents of several ranks, the lowest
rank wins (human 0 > complaint 1 > after-sales 2 > logistics 3 > every other business intent,
BUSINESS_RANK, the default for an intent nobody declares > goodbye > thanks > greeting > unknown).
Social intents (greeting, thanks, goodbye) yield to the business part of a message ("你好 我地址填错
了能改吗" is an address change). R-ANSWER-6: a message that is only a case number asks about that
case, one that is only an order number most likely about its parcel; the area that answers those
names the intents.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

BUSINESS_RANK = 4  # the rank of a business intent no area ranked; higher ranks are not business


@dataclass(frozen=True)
class AreaIntents:
    """What one area declares (all optional)."""

    #: Intent names, or families written "after_sales.*", with their precedence rank.
    ranks: Mapping[str, int] = field(default_factory=dict)
    #: Greeting-like intents: a business part of the same message decides instead of them.
    social: tuple[str, ...] = ()
    #: The intent of a message holding nothing but a case number / an order number (R-ANSWER-6).
    case_number: str | None = None
    order_number: str | None = None
    #: Among keywords of one rank, this (status) intent wins ("退货*收到": where the return stands),
    #: except over `status_yields_to` ("退款*到账" stays about money).
    status: str | None = None
    status_yields_to: tuple[str, ...] = ()


@dataclass(frozen=True)
class Precedence:
    """All areas' declarations together; hashable, so a matcher built with it can be shared."""

    exact: tuple[tuple[str, int], ...] = ()
    families: tuple[tuple[str, int], ...] = ()  # (prefix with its dot, rank)
    social: frozenset[str] = frozenset()
    case_number: str | None = None
    order_number: str | None = None
    status: str | None = None
    status_yields_to: frozenset[str] = frozenset()
    _ranks: dict[str, int] = field(default_factory=dict, compare=False, repr=False)  # looked up before

    @classmethod
    def of(cls, declared: Iterable[AreaIntents]) -> Precedence:
        """The precedence of these areas' declarations (an intent declared twice is an error)."""
        exact: dict[str, int] = {}
        families: dict[str, int] = {}
        social: set[str] = set()
        roles: dict[str, str | None] = {"case_number": None, "order_number": None, "status": None}
        yields: set[str] = set()
        for area in declared:
            for name, rank in area.ranks.items():
                target, key = (families, name[:-1]) if name.endswith(".*") else (exact, name)
                if key in target:
                    raise ValueError(f"intent {name} declared by two areas")
                target[key] = rank
            social.update(area.social)
            for role in roles:
                value = getattr(area, role)
                if value is not None:
                    if roles[role] is not None:
                        raise ValueError(f"{role} intent declared by two areas")
                    roles[role] = value
            yields.update(area.status_yields_to)
        return cls(tuple(sorted(exact.items())), tuple(sorted(families.items(), key=lambda kv: -len(kv[0]))),
                   frozenset(social), roles["case_number"], roles["order_number"], roles["status"], frozenset(yields))

    def rank(self, intent: str) -> int:
        """Precedence rank, lower wins; BUSINESS_RANK for an intent no area ranked."""
        rank = self._ranks.get(intent)
        if rank is None:
            rank = dict(self.exact).get(intent)
            if rank is None:
                rank = next((r for prefix, r in self.families if intent.startswith(prefix)), BUSINESS_RANK)
            self._ranks[intent] = rank
        return rank

    def is_business(self, intent: str) -> bool:
        return self.rank(intent) <= BUSINESS_RANK
