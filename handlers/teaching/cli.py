"""`main.py intents learn|export|stats|calibrate`, and `classify` with the shop's learned examples.

`intents learn FILE` reads `text<TAB>intent` lines (no header, blank lines skipped). Every bad line
(wrong number of columns, empty text, an intent the taxonomy lacks) is named by its line number and
then nothing is imported; a good file is stored in one transaction, and importing it again adds
nothing (bot/learned.py). `intents export` writes, for labelling, the customer messages of the last
days the bot asked about (intent `unknown`) and the messages agents corrected, PII stripped, each
with the bot's current guess: fix the second column and feed the file to `intents learn`.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from bot.commands import Command
from bot.intent_eval import calibrate, format_table
from bot.intents import TRAINING_FILE, UNKNOWN, precedence_of, read_training
from bot.learned import Labelled
from handlers.teaching.service import LEARNED, asked_messages
from models.learned_example import LearnedExample
from models.message import Message

if TYPE_CHECKING:
    from bot.learned import LearnedExamples

DEFAULT_DAYS = 7


def parse_labelled(lines: list[str], intents: set[str]) -> tuple[list[Labelled], list[str]]:
    """The labelled messages of a TSV file, and one problem per bad line ("line 3: ...")."""
    items, problems = [], []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        cols = line.split("\t")
        if len(cols) != 2:
            problems.append(f"line {number}: expected text<TAB>intent, found {len(cols)} column(s)")
            continue
        text, intent = cols[0].strip(), cols[1].strip()
        if not text:
            problems.append(f"line {number}: empty text")
        if intent not in intents:
            problems.append(f"line {number}: unknown intent {intent!r}")
        if text and intent in intents:
            items.append(Labelled(text, intent))
    return items, problems


def cmd_learn(args: argparse.Namespace, command: Command) -> int:
    try:
        lines = Path(args.file).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        print(f"error: cannot read {args.file}: {exc}", file=sys.stderr)
        return 2

    async def learn(service: LearnedExamples) -> int:
        items, problems = parse_labelled(lines, set(service.matcher.intents))
        if problems:
            for problem in problems:
                print(f"{args.file}: {problem}", file=sys.stderr)
            print(f"error: {len(problems)} bad line(s); nothing imported", file=sys.stderr)
            return 1
        result = await service.teach(items, source="import")
        print(f"learned {result.added} new, {result.relabelled} relabelled, {result.unchanged} already known")
        return 0

    return command.run_with(LEARNED, learn)


def cmd_export(args: argparse.Namespace, command: Command) -> int:
    rows: dict[str, str] = {}  # stripped text -> intent to confirm or correct

    async def collect(service: LearnedExamples) -> int:
        since = service.clock.now() - timedelta(days=args.days)
        for text in await asked_messages(since):
            clean = service.clean(text)
            if clean:
                rows.setdefault(clean, service.matcher.classify(clean).intent)
        for example in await LearnedExample.filter(updated_at__gte=since, source="console"):
            if example.guess != example.intent:
                rows[example.text] = example.intent
        return 0

    status = command.run_with(LEARNED, collect)
    out = "".join(f"{text.replace(chr(9), ' ')}\t{intent}\n" for text, intent in rows.items())
    if args.out:
        Path(args.out).write_text(out, encoding="utf-8")
        print(f"{len(rows)} message(s) written to {args.out}")
    else:
        sys.stdout.write(out)
    return status


def cmd_stats(args: argparse.Namespace, command: Command) -> int:
    async def stats(service: LearnedExamples) -> int:
        written = Counter(i for _, i in read_training(command.settings.scripts_dir / TRAINING_FILE))
        written.update(service.matcher.example_counts())
        learned = Counter(await LearnedExample.all().values_list("intent", flat=True))
        print(f"{'intent':24} {'written':>8} {'learned':>8}")
        for intent in service.matcher.intents:
            print(f"{intent:24} {written[intent]:8d} {learned[intent]:8d}")
        since = service.clock.now() - timedelta(days=args.days)
        inbound = Message.filter(direction="in", kind="text", author="customer", created_at__gte=since)
        total = await inbound.count()
        asked = await inbound.filter(intent=UNKNOWN).count()
        rate = f"{asked / total:.1%}" if total else "-"
        print(f"ask rate, last {args.days} day(s): {rate} ({asked} of {total} customer messages)")
        return 0

    return command.run_with(LEARNED, stats)


def cmd_calibrate(args: argparse.Namespace, command: Command) -> int:
    blend, table = calibrate(command.settings.scripts_dir / "intents.yaml", precedence_of(command.extensions))
    print(f"calibrated: temperature {blend.temperature}, rule weight {blend.rule_weight}, "
          f"social rule weight {blend.social_rule_weight}, data {blend.data_hash}")
    print("cross-validation by phrase group:")
    print(format_table(table))
    return 0


def register(commands: argparse._SubParsersAction) -> None:
    intents = commands.add_parser("intents", help="the intent model: learn, export, stats, calibrate")
    actions = intents.add_subparsers(dest="action", required=True)
    learn = actions.add_parser("learn", help="import labelled messages (TSV text<TAB>intent, no header)")
    learn.add_argument("file")
    learn.set_defaults(func=cmd_learn)
    export = actions.add_parser("export", help="messages the bot asked about or got corrected, for labelling")
    export.add_argument("--days", type=int, default=DEFAULT_DAYS)
    export.add_argument("--out", help="file to write (default: standard output)")
    export.set_defaults(func=cmd_export)
    stats = actions.add_parser("stats", help="examples per intent and the recent ask rate")
    stats.add_argument("--days", type=int, default=DEFAULT_DAYS)
    stats.set_defaults(func=cmd_stats)
    calibrate_ = actions.add_parser("calibrate", help="fit the rule/model blend and confidence on cross-validation")
    calibrate_.set_defaults(func=cmd_calibrate)

