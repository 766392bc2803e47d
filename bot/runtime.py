"""Everything a running bot needs, opened once per process and shared by every channel.

`Runtime.open` loads the templates and the matcher (jieba's dictionary included, so the first
customer does not wait for it), opens the store and the database, and wires the dispatcher and the
outbox. The HTTP server, `csbot chat` and the tests all go through it, so they answer alike.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from functools import partial
from zoneinfo import ZoneInfo

from aiohttp import web

from bot import follow_codes
from bot.channels.base import Channel
from bot.classifier_process import CLASSIFIER, ClassifierProcess, MatcherSpec
from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.context import Services
from bot.db import batch_writer, close_database, open_database
from bot.dispatcher import Dispatcher
from bot.extension import AreaKit, Extension
from bot.intents import IntentMatcher, precedence_of, warm_up_jieba
from bot.lint import check_data_files
from bot.messenger import CustomerMessenger, Redispatcher
from bot.outbox import Outbox
from bot.reconcile import Reconciler
from bot.recorder import Recorder
from bot.router import Router
from bot.scheduler import Scheduler
from bot.store.base import Store
from bot.store.factory import open_store
from bot.templates import Templates

log = logging.getLogger("csbot.runtime")

DAILY_AT = time(2, 0)  # shop time: after midnight, before the morning shift


@dataclass
class Runtime:
    settings: Settings
    clock: Clock
    store: Store
    templates: Templates
    matcher: IntentMatcher
    recorder: Recorder
    services: Services
    dispatcher: Dispatcher
    outbox: Outbox
    scheduler: Scheduler
    channels: dict[str, Channel] = field(default_factory=dict)
    extensions: tuple[Extension, ...] = ()
    reconciler: Reconciler | None = None
    #: First-sight classification in a process of its own (settings.classifier_process), or None.
    classifier: ClassifierProcess | None = None
    #: The narrow services areas take instead of this whole object (bot/messenger.py, bot/follow_codes.py).
    messenger: CustomerMessenger = field(init=False)
    redispatcher: Redispatcher = field(init=False)
    follow_codes: follow_codes.FollowCodes = field(init=False)
    #: What the areas' hooks are given: those parts and nothing else of this object.
    kit: AreaKit = field(init=False)

    def __post_init__(self) -> None:
        self.messenger = CustomerMessenger(self.templates, self.outbox, self.channels, self.clock)
        self.redispatcher = Redispatcher(self.dispatcher, self.outbox, self.recorder, self.channels, self.clock)
        self.follow_codes = follow_codes.FollowCodes(self.channels)
        self.kit = AreaKit(self.services, self.scheduler, self.messenger, self.redispatcher, self.follow_codes,
                           self.recorder.identify, self.matcher, self.extensions)

    @classmethod
    async def open(
        cls, settings: Settings, extensions: Iterable[Extension | Router], channels: Iterable[Channel] = (),
        clock: Clock | None = None, *, background: bool = True,
    ) -> Runtime:
        """Open every part; `extensions` may include bare routers (a test's extra handlers).

        `background=False` (command-line tools) starts no ticker: deadlines fire in the server only.
        """
        extensions = tuple(as_extension(item) for item in extensions)
        read_area_settings(settings, extensions)
        clock = clock or SystemClock()
        # the store first: an unreachable one fails the start before seconds of loading (jieba, the matcher)
        store = open_store(settings, clock)
        try:
            await store.ping()
            templates = Templates.load(settings.scripts_dir, shop_name=settings.shop_name)
            check_data_files(settings.scripts_dir, templates, extensions)
            spec = matcher_spec(settings, extensions)  # once: the classifier child is given the same
            matcher = shared_matcher(spec).fork()
            await open_database(settings.database_url, apply_schema=settings.migrate_on_start)
        except BaseException:
            await store.close()
            raise
        recorder = Recorder(clock, batch_writer(settings.database_url))
        services = Services(clock=clock, store=store, settings=settings, templates=templates)
        root = Router("root")
        for extension in extensions:
            if extension.router is not None:
                root.include_router(extension.router)
        channel_map = {channel.name: channel for channel in channels}
        classifier = ClassifierProcess(matcher, spec, clock) if settings.classifier_process == "on" else None
        if classifier is not None:
            services[CLASSIFIER] = classifier  # the teaching area forwards learned examples to it
        runtime = cls(
            settings=settings, clock=clock, store=store, templates=templates, matcher=matcher,
            recorder=recorder, services=services, classifier=classifier,
            dispatcher=Dispatcher(root, classifier.classify if classifier else matcher.classify, services, recorder,
                                  [e.on_escalate for e in extensions if e.on_escalate is not None]),
            outbox=Outbox(channel_map, recorder, clock, store), scheduler=Scheduler(store, clock),
            channels=channel_map, extensions=extensions,
        )
        started: list[Extension] = []
        try:
            for channel in channel_map.values():
                await channel.start(runtime)
            for extension in extensions:
                if extension.startup is not None:
                    await extension.startup(runtime.kit)
                started.append(extension)
            if classifier is not None:  # after the areas' start-up: the stored learned examples are known
                await classifier.start()
            if background:
                await schedule_daily(runtime)
                runtime.scheduler.start()
                runtime.reconciler = Reconciler(store, runtime.reconcile_hooks(), settings.reconcile_interval_s)
                await runtime.reconciler.run_once()
                runtime.reconciler.start()
        except BaseException:
            # a bad area setting or an unreachable service: close what was opened, so the process can
            # exit with the error instead of hanging on open connections and tasks
            await runtime._close(started)
            raise
        return runtime

    def reconcile_hooks(self) -> list[Callable[[bool], Awaitable[None]]]:
        """The daily job's own re-arming, each channel's, then each area's (see `bot.reconcile`)."""

        async def daily(store_lost: bool) -> None:
            await plan_daily(self, only_if_absent=True)

        hooks = [daily, *(channel.reconcile for channel in self.channels.values())]
        for extension in self.extensions:
            if extension.reconcile is not None:
                hooks.append(partial(extension.reconcile, self.kit))
        return hooks

    async def run_daily(self) -> None:
        """Every area's daily job, in order (`csbot daily`, and the server once a day); one area's
        failure is logged and does not keep the others from running."""
        for extension in self.extensions:
            if extension.daily is None:
                continue
            try:
                await extension.daily(self.kit)
            except Exception:
                log.exception("daily job of %s failed", extension.name)

    async def close(self) -> None:
        await self._close(self.extensions)

    async def _close(self, started: Iterable[Extension]) -> None:
        """Stop the background work, the extensions in `started`, the channels, then the connections."""
        if self.reconciler is not None:
            await self.reconciler.stop()
        await self.scheduler.stop()
        for extension in started:
            if extension.shutdown is not None:
                await extension.shutdown(self.kit)
        for channel in self.channels.values():
            await channel.stop()
        if self.classifier is not None:
            await self.classifier.close()
        await self.recorder.close()
        await self.store.close()
        await close_database()


async def schedule_daily(runtime: Runtime) -> None:
    """Run the daily jobs at DAILY_AT in the shop's time zone, on one worker, every day."""

    async def fire(member: str) -> None:
        try:
            await runtime.run_daily()
        finally:  # a failing day must not end the daily runs
            await plan_daily(runtime)

    runtime.scheduler.on("daily", fire)
    await plan_daily(runtime)


async def plan_daily(runtime: Runtime, *, only_if_absent: bool = False) -> None:
    """Arm the next daily run (named by its date, so arming it twice is one run)."""
    due = next_daily_run(runtime.clock.now(), runtime.settings.zone)
    arm = runtime.scheduler.ensure if only_if_absent else runtime.scheduler.at
    await arm("daily", due.date().isoformat(), due)


def next_daily_run(now: datetime, zone: ZoneInfo) -> datetime:
    local = now.astimezone(zone)
    due = local.replace(hour=DAILY_AT.hour, minute=DAILY_AT.minute, second=0, microsecond=0)
    if due <= local:
        due += timedelta(days=1)
    return due


def read_area_settings(settings: Settings, extensions: Iterable[Extension]) -> None:
    """Read every area's settings now, before anything is opened: a wrong value stops start-up with
    one line naming the variable (`ConfigError`), not at the area's first use."""
    for extension in extensions:
        for cls in extension.settings:
            settings.area(cls)


def general_matcher(settings: Settings, extensions: Iterable[Extension]) -> IntentMatcher:
    """The process's shared matcher of the shop's intents (`IntentMatcher.shared`), jieba's dictionary
    loaded: what a runtime forks its own from, and what `serve` builds before forking its workers
    (bot/worker_preload.py), with the same key, so a worker finds it built unless its settings or the
    files differ."""
    return shared_matcher(matcher_spec(settings, extensions))


def shared_matcher(spec: MatcherSpec) -> IntentMatcher:
    """`spec`'s shared matcher (`general_matcher`), jieba's dictionary loaded first."""
    warm_up_jieba()
    return spec.shared()


def matcher_spec(settings: Settings, extensions: Iterable[Extension]) -> MatcherSpec:
    """What `general_matcher` is built from (a worker's classifier process builds the same)."""
    patterns = settings.order_no_patterns
    return MatcherSpec((settings.scripts_dir / "intents.yaml").resolve(), precedence_of(extensions),
                       tuple(patterns) if patterns is not None else None, settings.intent_cache_size)


def as_extension(item: Extension | Router) -> Extension:
    return item if isinstance(item, Extension) else Extension(item.name, router=item)


RUNTIME = web.AppKey("runtime", Runtime)
