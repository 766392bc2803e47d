"""`csbot campaign ...`: marketing's command line for referral campaigns.

    campaign create NAME --title T --start 2026-12-01 --end 2026-12-31 [--max-cards 5]
                    [--bounties 1:4000,4:5000,7:6000] [--rates 1:2%,4:2.5%,7:3%]
                    [--share-copy TEXT] [--landing-text TEXT]
    campaign edit NAME [any of the options above]
    campaign list
    campaign stats NAME [--json]
    campaign push NAME --segment members|buyers|tag:<name> [--since D --until D] [--dry-run]
    campaign confirm REFERRAL_ID --staff NAME       staff confirmation of a conversion
    campaign settle                                  conversions from orders, commissions, follow-ups now
    campaign follow-ups [NAME]                       friends to call, with their referrer
    campaign tag TAG [--customer-id N ...] [--phone P ...]

Errors a user can fix print one line and exit with status 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from typing import Any

from bot.cli_args import iso_date, positive_int
from bot.commands import Command
from handlers.referral import followups
from handlers.referral.campaigns import (
    CampaignError,
    campaign_json,
    create_campaign,
    edit_campaign,
    get_campaign,
    parse_changes,
)
from handlers.referral.conversion import ConfirmError, confirm
from handlers.referral.desk import REFERRAL, ReferralDesk
from handlers.referral.jobs import settle_all
from handlers.referral.names import mask
from handlers.referral.push import Segment, plan, run_push
from handlers.referral.stats import campaign_stats
from handlers.referral.tiers import fen_to_yuan
from models.customer import Customer
from models.referral import Campaign, CustomerTag

USAGE_ERROR = 2


def add_commands(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("campaign", help="referral (转介绍) campaigns")
    actions = parser.add_subparsers(dest="action", required=True)

    create = actions.add_parser("create", help="create a campaign")
    create.add_argument("name", help="short name used in links: lower-case letters, digits, -")
    _campaign_options(create, creating=True)
    create.set_defaults(func=_run(_create))

    edit = actions.add_parser("edit", help="change a campaign (options not given stay as they are)")
    edit.add_argument("name")
    _campaign_options(edit, creating=False)
    edit.set_defaults(func=_run(_edit))

    actions.add_parser("list", help="every campaign").set_defaults(func=_run(_list))

    stats = actions.add_parser("stats", help="cards, opens, visits, conversions, rewards, rejections")
    stats.add_argument("name")
    stats.add_argument("--json", action="store_true", help="print the statistics as JSON")
    stats.set_defaults(func=_run(_stats))

    push = actions.add_parser("push", help="send the campaign to a segment of customers (resumable)")
    push.add_argument("name")
    push.add_argument("--segment", required=True, help="members, buyers or tag:<name>")
    push.add_argument("--since", type=iso_date, help="buyers: first day of paid orders")
    push.add_argument("--until", type=iso_date, help="buyers: last day of paid orders")
    push.add_argument("--dry-run", action="store_true", help="show who would get it, send nothing")
    push.set_defaults(func=_run(_push))

    confirm_ = actions.add_parser("confirm", help="staff confirmation that a referred friend bought and paid")
    confirm_.add_argument("referral_id", type=int)
    confirm_.add_argument("--staff", required=True, help="who confirms (recorded)")
    confirm_.set_defaults(func=_run(_confirm))

    actions.add_parser("settle", help="conversions from orders, commissions and follow-ups, now").set_defaults(
        func=_run(_settle))

    tasks = actions.add_parser("follow-ups", help="referred friends to call, with their referrer")
    tasks.add_argument("name", nargs="?")
    tasks.set_defaults(func=_run(_follow_ups))

    tag = actions.add_parser("tag", help="tag customers, for --segment tag:<name>")
    tag.add_argument("tag")
    tag.add_argument("--customer-id", type=int, action="append", default=[])
    tag.add_argument("--phone", action="append", default=[])
    tag.set_defaults(func=_run(_tag))


def _campaign_options(parser: argparse.ArgumentParser, creating: bool) -> None:
    """The campaign's fields; `create` requires the title and dates, `edit` changes only what is given."""
    parser.add_argument("--title", required=creating)
    parser.add_argument("--start", dest="starts_on", type=iso_date, required=creating, metavar="YYYY-MM-DD",
                        help="first day, YYYY-MM-DD (shop time)")
    parser.add_argument("--end", dest="ends_on", type=iso_date, required=creating, metavar="YYYY-MM-DD",
                        help="last day, YYYY-MM-DD (shop time)")
    parser.add_argument("--max-cards", type=positive_int, help="cards per referrer (default 5)")
    parser.add_argument("--bounties", help="yuan from the n-th successful referral, e.g. 1:4000,4:5000,7:6000")
    parser.add_argument("--rates", help="commission from n referrals, e.g. 1:2%%,4:2.5%%,7:3%%")
    parser.add_argument("--share-copy", help="朋友圈文案; {link} becomes the share link")
    parser.add_argument("--landing-text", help="text of the landing page")


def _run(action: Any) -> Any:
    """A subcommand: run `action(args, desk)` with the area's desk; input errors exit with status 2."""

    def func(args: argparse.Namespace, command: Command) -> int:
        async def go(desk: ReferralDesk) -> int:
            try:
                return await action(args, desk) or 0
            except (CampaignError, ConfirmError, ValueError) as exc:
                print(f"error: {exc}", file=sys.stderr)
                return USAGE_ERROR

        return command.run_with(REFERRAL, go)

    return func


async def _create(args: argparse.Namespace, desk: ReferralDesk) -> None:
    campaign = await create_campaign(args.name, parse_changes(vars(args)), now=desk.now(),
                                     zone=desk.zone, templates=desk.templates)
    _print_campaign(campaign, desk)


async def _edit(args: argparse.Namespace, desk: ReferralDesk) -> None:
    campaign = await edit_campaign(await get_campaign(args.name), parse_changes(vars(args)),
                                   now=desk.now(), zone=desk.zone, templates=desk.templates)
    _print_campaign(campaign, desk)


def _print_campaign(campaign: Campaign, desk: ReferralDesk) -> None:
    print(json.dumps(campaign_json(campaign, desk.zone, desk.now()), ensure_ascii=False,
                     indent=2))


async def _list(args: argparse.Namespace, desk: ReferralDesk) -> None:
    for campaign in await Campaign.all().order_by("-starts_at", "id"):
        info = campaign_json(campaign, desk.zone, desk.now())
        state = "active" if info["active"] else "-"
        print(f"{info['name']:<20} {info['starts_on']} ~ {info['ends_on']}  {state:<6}  {info['title']}")


async def _stats(args: argparse.Namespace, desk: ReferralDesk) -> None:
    stats = await campaign_stats(await get_campaign(args.name), desk.zone)
    if args.json:
        print(json.dumps(stats, ensure_ascii=False, indent=2))
        return
    rewards = stats["rewards_fen"]
    lines = [
        f"campaign        {stats['campaign']}",
        f"cards issued    {stats['cards_issued']}",
        f"link opens      {stats['link_opens']}",
        f"first visits    {stats['first_visits']}",
        f"conversions     {stats['conversions']} ({stats['conversion_rate']})",
        f"rewards         ¥{fen_to_yuan(rewards['total'])} (bounties ¥{fen_to_yuan(rewards['bounty'])}, "
        f"commissions ¥{fen_to_yuan(rewards['commission'])})",
        f"follow-ups open {stats['follow_ups_open']}",
        "rejections      " + (", ".join(f"{reason} {n}" for reason, n in stats["rejections"].items()) or "none"),
    ]
    lines += [f"  {m['month']}  visits {m['first_visits']}, conversions {m['conversions']} ({m['conversion_rate']})"
              for m in stats["by_month"]]
    for push in stats["pushes"]:
        counts = ", ".join(f"{k} {v}" for k, v in push.items() if k not in ("segment", "finished")) or "nobody"
        lines.append(f"push {push['segment']}: {counts} ({'finished' if push['finished'] else 'unfinished'})")
    print("\n".join(lines))


async def _push(args: argparse.Namespace, desk: ReferralDesk) -> None:
    campaign = await get_campaign(args.name)
    segment = Segment.parse(args.segment, args.since, args.until)
    if args.dry_run:
        planned = await plan(campaign, segment, desk)
        for item in planned:
            name = mask(item.customer.name, "masked") if item.customer.name else "-"
            print(f"{item.customer.id:>8}  {item.customer.channel:<8} {item.route:<18} {name}")
        counts = Counter(item.route for item in planned)
        routes = "".join(f"; {route} {n}" for route, n in sorted(counts.items()))
        print(f"dry run: {len(planned)} customers{routes}")
        return
    from tqdm import tqdm  # here, not in every process that imports the command line (docs/performance.md)

    with tqdm(desc=f"push {campaign.name}", unit="msg", file=sys.stderr) as bar:
        report = await run_push(campaign, segment, desk, progress=bar.update)
    print(f"sent {report.sent}, failed {report.failed}, skipped {report.skipped}; "
          f"done before {report.already_done}, interrupted before (not resent) {report.interrupted}")


async def _confirm(args: argparse.Namespace, desk: ReferralDesk) -> None:
    referral = await confirm(args.referral_id, args.staff, now=desk.now(), zone=desk.zone)
    print(f"referral {referral.id}: {referral.status}, position {referral.position} ({referral.converted_by})")


async def _settle(args: argparse.Namespace, desk: ReferralDesk) -> None:
    converted, commissions, tasks = await settle_all(desk)
    print(f"conversions {converted}, commissions booked {commissions}, follow-ups created {tasks}")


async def _follow_ups(args: argparse.Namespace, desk: ReferralDesk) -> None:
    campaign_id = (await get_campaign(args.name)).id if args.name else None
    for task in await followups.tasks(campaign_id=campaign_id):
        friend, referrer = task["friend"], task["referrer"]
        print(f"#{task['id']} {task['campaign']}: call {friend['name'] or '-'} {friend['phone'] or '-'} "
              f"({friend['channel']} customer {friend['id']}), first visit {task['first_visit_at']}, "
              f"referred by {referrer['name'] or '-'} (customer {referrer['id']})")


async def _tag(args: argparse.Namespace, desk: ReferralDesk) -> None:
    ids = set(args.customer_id)
    if args.phone:
        ids |= set(await Customer.filter(phone__in=args.phone).values_list("id", flat=True))
    known = await Customer.filter(id__in=ids).values_list("id", flat=True)
    await CustomerTag.bulk_create([CustomerTag(customer_id=cid, tag=args.tag) for cid in known],
                                  ignore_conflicts=True)
    print(f"tag {args.tag}: {len(known)} customers")

