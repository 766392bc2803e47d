"""`csbot serve`: one process, or a master supervising N worker processes sharing the port
(SO_REUSEPORT).

The master applies the schema once, then starts the workers and waits until every one has reported
ready over its pipe. Workers are forked by multiprocessing's forkserver: an interpreter the master
starts with the bot's modules imported and nothing else done (no event loop, no connection, no
thread), so a worker, and every restarted one, begins with the imports paid (about a second of CPU
each) and shares no state with the master or its siblings. A worker dying before it is ready
stops the whole start with status 1, since a server silently running on fewer workers than asked
for measures and behaves like a smaller one. While serving, a worker that dies is replaced after a
back-off (0.5 s doubling per quick failure, capped). A forkserver that dies is started again by the
next worker start; its workers, reported dead but still running, serve until their replacements are
ready. SIGTERM or SIGINT to the master is forwarded
to every worker, which stops accepting, lets in-flight requests and background sends finish within
`SERVE_SHUTDOWN_GRACE_S` (a WeChat request cut after that gets no answer, so WeChat retries it), and
exits; a worker still alive after the grace is killed. The pipe is also each worker's lifeline: when
the master is gone (even killed with SIGKILL) the worker sees end-of-file and shuts down the same
way, so no generation of orphaned workers keeps answering on the port.

With `REDIS_URL` set the workers share the store (dedupe, locks, token, pub/sub); without it each
would have its own in-process store and a WeChat retry could land on a worker that never saw the
first try, so several workers without Redis are refused. `make_app` comes from `bot/cli.py` (the
composition root, which knows the handlers) and must be a module-level function so the workers can load it.
"""

from __future__ import annotations

import asyncio
import ctypes
import ctypes.util
import logging
import multiprocessing
import os
import signal
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing import forkserver
from multiprocessing.connection import Connection, wait
from multiprocessing.context import BaseContext
from multiprocessing.process import BaseProcess

from aiohttp import web

from bot import classifier_process
from bot.config import Settings
from bot.db import prepare_database
from bot.logs import configure_logging, describe_failure, log_loop_failures
from bot.runtime import RUNTIME
from bot.web.guards import server_options

log = logging.getLogger("csbot.server")
AppFactory = Callable[[Settings], web.Application]

READY = "ready"
M_MMAP_THRESHOLD = -3  # glibc's mallopt parameter number
MMAP_THRESHOLD_BYTES = 64 * 1024
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)
#: A worker that ran at least this long before dying restarts after the shortest back-off again.
STABLE_AFTER_S = 60.0
FIRST_BACKOFF_S = 0.5
FORKSERVER_GONE_ATTEMPTS = 20  # starts tried while a forkserver that just died is being reaped
FORKSERVER_GONE_PAUSE_S = 0.05
TICK_S = 0.25
#: Beyond the grace, what a stopping worker may spend closing its channels (their background sends
#: get up to 10 s, bot/channels/wechat.py) before the master kills it; also the wait for the reaping.
KILL_WAIT_S = 15.0
#: Imported by the forkserver after the bot: what every worker builds alike, built once (bot/worker_preload.py).
WORKER_PRELOAD = "bot.worker_preload"


def serve(make_app: AppFactory, settings: Settings, workers: int = 1) -> int:
    if workers < 1:
        print("error: --workers must be at least 1")
        return 2
    if workers > 1 and not settings.redis_url:
        print("error: --workers above 1 needs REDIS_URL so that the workers share one store")
        return 2
    configure_logging(settings.log_level)
    if settings.migrate_on_start:
        try:
            asyncio.run(prepare_database(settings.database_url))
        except Exception as exc:
            log.error("database schema not applied, not serving: %s", describe_failure(exc))
            return 1
    worker_settings = serving_settings(settings.model_copy(update={"migrate_on_start": False}), workers)
    log.info("serving on http://%s:%d with %d worker(s)", settings.bot_host, settings.bot_port, workers)
    if workers == 1:
        return run_worker(make_app, worker_settings, None, reuse_port=False)
    return Supervisor(make_app, worker_settings, workers).run()


# --- a worker ---


def worker_main(make_app: AppFactory, settings: Settings, lifeline: Connection) -> None:
    """Entry point of a worker process."""
    sys.exit(run_worker(make_app, settings, lifeline, reuse_port=True))


def run_worker(make_app: AppFactory, settings: Settings, lifeline: Connection | None, *, reuse_port: bool) -> int:
    """Serve until SIGTERM/SIGINT or the master's end of `lifeline` closes; 1 when start-up failed."""
    started = time.monotonic()
    configure_logging(settings.log_level)
    return_large_buffers_to_the_system()
    try:
        with asyncio.Runner(loop_factory=new_event_loop) as runner:
            runner.run(_serve_until_stopped(make_app, settings, lifeline, reuse_port, started))
    except Exception as exc:
        log.error("worker %d stopped: %s", os.getpid(), describe_failure(exc), exc_info=exc)
        return 1
    return 0


def serving_settings(settings: Settings, workers: int = 1) -> Settings:
    """The settings of each of `workers` workers: `classifier_process=auto` decided for this machine and
    that many workers (bot/classifier_process.py)."""
    mode = classifier_process.resolve(settings.classifier_process, workers)
    return settings.model_copy(update={"classifier_process": mode})


def new_event_loop() -> asyncio.AbstractEventLoop:
    """uvloop's event loop (libuv's, in C) where it is installed, else asyncio's.

    A worker's loop runs every customer's message; on the embedded default asyncio's own scheduling,
    timers and socket transports were about a tenth of a message's CPU, which uvloop does in C
    (docs/performance.md). Same asyncio API, so nothing else changes; not installed (Windows), the
    standard loop serves the same. Either logs a failure nobody awaited without customer values.
    """
    try:
        import uvloop
    except ImportError:
        loop = asyncio.new_event_loop()
    else:
        loop = uvloop.new_event_loop()
    log_loop_failures(loop)  # without customer values (bot/logs.py)
    return loop


def return_large_buffers_to_the_system() -> None:
    """Allocate buffers of 64 KiB and more with mmap, so freeing them gives the memory back (glibc).

    Socket reads come in chunks of up to 256 KiB; glibc's default raises its mmap threshold after the
    first such buffer is freed and then serves them from the heap, which a flood of large bodies
    leaves fragmented: the worker's RSS grew by the flood's size and never came down (issue 10).
    """
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES)
    except (OSError, AttributeError):  # not glibc: nothing to tune
        pass


async def _serve_until_stopped(
    make_app: AppFactory, settings: Settings, lifeline: Connection | None, reuse_port: bool, started: float
) -> None:
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for signum in STOP_SIGNALS:
        loop.add_signal_handler(signum, stop.set)
    runner = web.AppRunner(make_app(settings), handle_signals=False, access_log=None,
                           shutdown_timeout=settings.serve_shutdown_grace_s, **server_options(settings))
    await runner.setup()  # opens the runtime: store, database, channels
    _log_start_up(runner.app, started)
    try:
        site = web.TCPSite(runner, settings.bot_host, settings.bot_port, reuse_port=reuse_port)
        await site.start()
        if lifeline is not None:
            _watch_master(loop, lifeline, stop)
        await stop.wait()
        log.info("worker %d shutting down", os.getpid())
    finally:
        await runner.cleanup()  # stop accepting, finish in-flight requests, close the runtime


def _log_start_up(app: web.Application, started: float) -> None:
    """How long the runtime took to open, and whether the intent matcher came built from the forkserver
    (bot/worker_preload.py) or was built here (other settings or files, or no forkserver)."""
    built_by = app[RUNTIME].matcher.built_by
    origin = "in this worker" if built_by == os.getpid() else f"before the fork (pid {built_by})"
    log.info("worker %d open after %.1f s (%.1f s CPU); intent matcher built %s", os.getpid(),
             time.monotonic() - started, time.process_time(), origin)


def _watch_master(loop: asyncio.AbstractEventLoop, lifeline: Connection, stop: asyncio.Event) -> None:
    """Report ready, then stop when the master's end of the pipe closes (it never writes to it)."""

    def master_gone() -> None:
        loop.remove_reader(lifeline.fileno())
        log.warning("worker %d: master is gone, shutting down", os.getpid())
        stop.set()

    try:
        lifeline.send(READY)
    except OSError:
        stop.set()
        return
    loop.add_reader(lifeline.fileno(), master_gone)


# --- the master ---


@dataclass
class Worker:
    slot: int
    process: BaseProcess
    pipe: Connection
    started: float
    ready: bool = False


class Supervisor:
    """Starts `count` workers, waits for them, replaces dead ones, and stops them all on a signal."""

    def __init__(self, make_app: AppFactory, settings: Settings, count: int) -> None:
        self.make_app = make_app
        self.settings = settings
        self.count = count
        self.context = forkserver_preloading(make_app)
        self.workers: dict[int, Worker] = {}
        self.quick_failures: dict[int, int] = {}
        self.restart_at: dict[int, float] = {}
        #: Workers whose forkserver died under them, still serving until their slot's replacement is ready.
        self.orphans: dict[int, Worker] = {}
        self.stopping = False

    def run(self) -> int:
        previous = {signum: signal.signal(signum, self._on_signal) for signum in STOP_SIGNALS}
        try:
            for slot in range(self.count):
                self._start(slot)
            if not self._wait_until_ready():
                return 0 if self.stopping else 1
            log.info("%d of %d workers ready", self.count, self.count)
            self._supervise()
            return 0
        finally:
            self._stop_all()
            _stop_forkserver()
            for signum, handler in previous.items():
                signal.signal(signum, handler)

    def _on_signal(self, signum: int, frame: object) -> None:
        self.stopping = True

    def _start(self, slot: int) -> None:
        """Start a worker in `slot`. A forkserver that has just died (its workers' sentinels close as
        it exits, before it can be reaped) still looks alive to multiprocessing, whose start then meets
        end-of-file on the dead server's socket; once the dead server is reaped, the next start
        launches a new one, so the start is tried again a few times, FORKSERVER_GONE_PAUSE_S apart."""
        for attempt in range(FORKSERVER_GONE_ATTEMPTS):
            mine, theirs = self.context.Pipe(duplex=True)
            process = self.context.Process(target=worker_main, args=(self.make_app, self.settings, theirs),
                                           name=f"csbot-worker-{slot}")
            try:
                process.start()
                break
            except (EOFError, ConnectionError):
                mine.close()
                theirs.close()
                if attempt == FORKSERVER_GONE_ATTEMPTS - 1:
                    raise
                log.warning("worker %d: the forkserver is gone; starting it again", slot)
                time.sleep(FORKSERVER_GONE_PAUSE_S)
        theirs.close()  # the worker holds the only other end: its end-of-file means the master is gone
        self.workers[slot] = Worker(slot, process, mine, time.monotonic())
        log.info("worker %d started (pid %s)", slot, process.pid)

    def _wait_until_ready(self) -> bool:
        deadline = time.monotonic() + self.settings.serve_start_timeout_s
        while not self.stopping:
            self._read_pipes()
            pending = [worker for worker in self.workers.values() if not worker.ready]
            if not pending:
                return True
            for worker in pending:
                if not worker.process.is_alive():
                    log.error("worker %d (pid %s) failed at start-up (exit code %s); stopping",
                              worker.slot, worker.process.pid, worker.process.exitcode)
                    return False
            if time.monotonic() > deadline:
                log.error("%d worker(s) not ready after %.0f s; stopping", len(pending),
                          self.settings.serve_start_timeout_s)
                return False
        return False

    def _supervise(self) -> None:
        while not self.stopping:
            self._read_pipes()
            if self.stopping:  # a worker that got the same Ctrl-C is not restarted
                break
            now = time.monotonic()
            for worker in [worker for worker in self.workers.values() if not worker.process.is_alive()]:
                if _running(worker.process.pid):
                    self._replace_orphan(worker)
                else:
                    self._schedule_restart(worker, now)
            for slot, due in list(self.restart_at.items()):
                if due <= now:
                    del self.restart_at[slot]
                    self._start(slot)

    def _read_pipes(self) -> None:
        """Wait up to TICK_S for a worker to report ready or die, and note readiness."""
        watched = [worker.pipe for worker in self.workers.values()]
        watched += [worker.process.sentinel for worker in self.workers.values()]
        wait(watched, timeout=TICK_S)
        for worker in self.workers.values():
            try:
                while worker.pipe.poll():
                    if worker.pipe.recv() == READY and not worker.ready:
                        worker.ready = True
                        log.info("worker %d ready (pid %s)", worker.slot, worker.process.pid)
                        self._retire_orphan(worker.slot)
            except (EOFError, OSError):
                pass  # the worker died; its sentinel says so

    def _schedule_restart(self, worker: Worker, now: float) -> None:
        worker.process.join()
        worker.pipe.close()
        del self.workers[worker.slot]
        lived = now - worker.started
        failures = 0 if worker.ready and lived >= STABLE_AFTER_S else self.quick_failures.get(worker.slot, 0) + 1
        self.quick_failures[worker.slot] = failures
        delay = min(FIRST_BACKOFF_S * 2 ** max(failures - 1, 0), self.settings.serve_restart_max_backoff_s)
        self.restart_at[worker.slot] = now + delay
        log.error("worker %d (pid %s) died (exit code %s) after %.1f s; restarting in %.1f s",
                  worker.slot, worker.process.pid, worker.process.exitcode, lived, delay)

    def _replace_orphan(self, worker: Worker) -> None:
        """The forkserver died (killed, OOM): it reported each of its workers dead (exit code 255) while
        they run on, now nobody's children. Closing their lifelines would stop every worker at once and
        leave the port unanswered until the replacements are ready (a new forkserver importing the bot,
        then each worker starting); so each keeps serving until its slot's replacement reports ready,
        which is started right away (no back-off: nothing crashed)."""
        del self.workers[worker.slot]
        self.orphans[worker.slot] = worker
        log.error("worker %d (pid %s) orphaned by the forkserver's death; it serves until its replacement is ready",
                  worker.slot, worker.process.pid)
        self._start(worker.slot)

    def _retire_orphan(self, slot: int) -> None:
        """Close the orphan's lifeline: it stops accepting, finishes in flight and exits (reaped by init)."""
        orphan = self.orphans.pop(slot, None)
        if orphan is not None:
            orphan.pipe.close()
            log.info("worker %d (pid %s) replaced; its orphaned predecessor shuts down", slot, orphan.process.pid)

    def _stop_all(self) -> None:
        """Forward SIGTERM, wait for graceful shutdowns, kill what is left after the grace."""
        for slot in list(self.orphans):
            _signal(self.orphans[slot].process, signal.SIGTERM)
            self._retire_orphan(slot)
        alive = [worker for worker in self.workers.values() if worker.process.is_alive()]
        if alive:
            log.info("stopping %d worker(s)", len(alive))
        for worker in alive:
            _signal(worker.process, signal.SIGTERM)
        deadline = time.monotonic() + self.settings.serve_shutdown_grace_s + KILL_WAIT_S
        for worker in alive:
            worker.process.join(max(deadline - time.monotonic(), 0))
            if worker.process.is_alive():
                log.error("worker %d (pid %s) still running after the grace; killing it",
                          worker.slot, worker.process.pid)
                _signal(worker.process, signal.SIGKILL)
                worker.process.join(KILL_WAIT_S)
        for worker in self.workers.values():
            worker.pipe.close()
        self.workers.clear()


def forkserver_preloading(make_app: AppFactory) -> BaseContext:
    """multiprocessing's forkserver with the module of `make_app` (the whole bot) imported before it
    forks, then `WORKER_PRELOAD`, which builds jieba's dictionary and the general intent matcher there.
    The program's main module is not preloaded (Python 3.11's forkserver drops that entry); a worker
    needs only `make_app`, which it finds among the preloaded modules."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([make_app.__module__, WORKER_PRELOAD])
    return context


def _stop_forkserver() -> None:
    """End the forkserver and reap it once the workers are gone: left to notice the master's exit on
    its own, it would be reaped by init, and with it the account of its workers' CPU (`time serve`
    would not count it). `_stop` is the method multiprocessing's own tests use; it does nothing when
    no forkserver was started."""
    forkserver._forkserver._stop()


def _running(pid: int | None) -> bool:
    """Whether a process with this id still exists (a worker its forkserver can no longer report on)."""
    if pid is None:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _signal(process: BaseProcess, signum: int) -> None:
    if process.pid is not None:
        try:
            os.kill(process.pid, signum)
        except ProcessLookupError:
            pass
