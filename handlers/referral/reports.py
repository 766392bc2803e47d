"""月度转介绍量、转介绍率 as a report (docs/rules.md R-REPORT-5, R-REF-12).

Per bucket: friends who arrived through a card (first visits), friends who converted (counted when
they converted) and the rate, conversions per first visit, as `campaign stats` counts them by month;
filtered by the channel of the friend's first visit (cards: the referrer's channel). Over every campaign.
"""

from __future__ import annotations

from collections import Counter

from bot.context import Services
from bot.report_periods import label_of, share, spans
from bot.reports import Column, ReportQuery, ReportSpec, ReportTable
from bot.templates import spec
from models.referral import Referral, ReferralCard

COLUMNS = [
    Column("bucket", "reports.col_bucket", "text"),
    Column("cards_issued", "referral.report_cards_issued"),
    Column("first_visits", "referral.report_first_visits"),
    Column("conversions", "referral.report_conversions"),
    Column("conversion_rate", "referral.report_conversion_rate", "share"),
]
SCRIPTS = (spec("referral.report_title"), *(spec(c.label_key) for c in COLUMNS if c.label_key.startswith("referral.")))


async def build(services: Services, query: ReportQuery) -> ReportTable:
    zone = services.settings.zone
    counts: dict[str, Counter[str]] = {span.label: Counter() for span in spans(query, zone)}
    visits = Referral.filter(first_visit_at__gte=query.start, first_visit_at__lt=query.end)
    converted = Referral.filter(status="converted", converted_at__gte=query.start, converted_at__lt=query.end)
    if query.channel:
        visits, converted = (visits.filter(first_visit_channel=query.channel),
                             converted.filter(first_visit_channel=query.channel))
    for moment in await visits.values_list("first_visit_at", flat=True):
        counts[label_of(moment, query, zone)]["first_visits"] += 1
    for moment in await converted.values_list("converted_at", flat=True):
        counts[label_of(moment, query, zone)]["conversions"] += 1
    cards = ReferralCard.filter(issued_at__gte=query.start, issued_at__lt=query.end)
    if query.channel:
        cards = cards.filter(referrer__channel=query.channel)
    for moment in await cards.values_list("issued_at", flat=True):
        counts[label_of(moment, query, zone)]["cards_issued"] += 1
    rows = [_row(label, c) for label, c in counts.items()]
    total: Counter[str] = sum(counts.values(), Counter())
    return ReportTable(COLUMNS, rows, _row(None, total))


def _row(label: str | None, counts: Counter[str]) -> dict[str, object]:
    return {"bucket": label, "cards_issued": counts["cards_issued"], "first_visits": counts["first_visits"],
            "conversions": counts["conversions"],
            "conversion_rate": share(counts["conversions"], counts["first_visits"])}


#: No agent makes a referral, so an agent filter is refused rather than ignored (docs/reports.md "Filters").
SPEC = ReportSpec("referrals", "referral.report_title", build, ("channel",), not_applicable=("agent",))
