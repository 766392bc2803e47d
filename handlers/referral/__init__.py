"""Referral (转介绍) campaigns (docs/rules.md R-REF): cards and share links, attribution at the friend's first
contact with its fraud checks, conversion and the reward ledger, 24-hour follow-ups, the honour
board, statistics, and pushes to customer segments.

Modules, each with one job:
- `chat`: the router (cards, standings, friends arriving by a card's QR code, 退订);
- `campaigns`, `cards`, `codes`, `tiers`, `terms`: what a campaign is, its cards, their signed codes, the
  reward arithmetic and the rewards in the customer's words;
- `attribution`, `conversion`, `followups`, `rejections`, `people`: the rules, in time order;
- `stats`, `names`: numbers and how names are shown;
- `pages`, `card_image`, `api`, `cli`, `push`, `marketing`: the ways in and out (public pages, the
  card PNG, the admin API, the `campaign` command, pushes, WeChat's marketing calls);
- `jobs`: start-up, the periodic order sync, the daily job, the demo campaign.
"""

from bot.extension import Extension
from bot.labels import label_specs
from bot.templates import spec
from handlers.referral import api, chat, forget, jobs, pages, push, reports
from handlers.referral.cli import add_commands
from handlers.referral.settings import ReferralSettings

SCRIPTS = (
    *chat.SCRIPTS,
    *reports.SCRIPTS,
    *pages.SCRIPTS,
    *(spec(key, "title", "end_date", "board_url") for key in push.SCRIPT_KEYS),
    spec("referral.anonymous"),
    spec("referral.anonymous_phone", "tail"),
    spec("referral.demo_title"),
    *label_specs("error", (*api.ERRORS, *pages.ERRORS)),
)

extension = Extension(
    "referral",
    router=chat.router,
    settings=(ReferralSettings,),
    scripts=SCRIPTS,
    routes=pages.ROUTES,
    endpoints=[*pages.ENDPOINTS, *api.ENDPOINTS],
    startup=jobs.startup,
    reconcile=jobs.reconcile,
    demo_data=jobs.demo_data,
    daily=jobs.daily,
    cli=add_commands,
    reports=(reports.SPEC,),
    on_erase=forget.erase,
    on_retention=forget.retain,
)
