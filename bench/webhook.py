"""Load `/wechat` with real customer messages and compare the bot with two references.

    .venv/bin/python bench/webhook.py [--seconds 10] [--concurrency 50] [--intent-cache 0]
    .venv/bin/python bench/webhook.py --production [--workers 1]
    .venv/bin/python bench/webhook.py --rate 80   # paced: compare two codes' CPU per message at one rate
    .venv/bin/python bench/webhook.py --stalls    # also the event loop's turns and the collector's pauses
    .venv/bin/python bench/webhook.py --profile   # also where the bot's and the ceiling's CPU goes, by function

One aiohttp client (in this process) drives, in turn, three servers, each in its own process so
the client does not starve it:

1. the bot: the real app (`bot.app.build_app` with `handlers.EXTENSIONS`, the shop's routers) on
   its embedded default (SQLite file in a temp dir, in-process store), WeChat enabled through settings, its API base
   pointed at a `FakeWeChat` run here (late answers go out through it);
2. the ceiling: a bare aiohttp endpoint that only checks the signature, parses with wechatpy and
   echoes the text back as a passive reply, on the same event loop as the bot (uvloop where installed);
3. WeRoBot (when importable), an echo bot with its default session storage (SQLite), served
   under aiohttp through a small WSGI bridge that runs the WSGI app in one worker thread (WSGI is
   synchronous, and WeRoBot's SQLite session store shares one connection); the subprocess
   choice keeps its GIL away from the client.

The texts are `bench/corpus.tsv` (537 distinct messages in a shop's intent mix, written apart from
the bot's examples; see bench/README.md), in the file's shuffled order; message n comes from
customer n mod `--customers`, so every customer's conversation goes on over several messages
(dialogues, escalations, the queue; the shop is staffed all day, so escalations always queue
whatever the hour the bench runs at, with no agent online to take them). The matcher's memory of recent texts is off
(`INTENT_CACHE_SIZE=0`) unless `--intent-cache` says otherwise: every message is classified at first
sight. Latency percentiles are printed per path (answer, after-sales dialogue, escalation) and per
intent, as the corpus labels them. The bot's database holds the demo shop (`main.py demo-data`), so
the corpus' order numbers are found.

`--production` runs the bot as production does: `bot.server.serve` with `--workers N` on PostgreSQL
(a fresh database on the test server, migrated before the workers start) and Redis (the test
server, a fresh key prefix). Each worker counts, in process, the SQL statements its asyncpg
connections run (group-commit batches apart), the Redis commands and round trips its clients send,
and the messages its dispatcher handles; CPU time is read from /proc for the server's processes (and
their children: a worker's classifier process, bot/classifier_process.py) and for the database's
backends (autovacuum's workers on it included). Per-message figures are those deltas over the
measured window. After the warm-up the database is analyzed, as autovacuum keeps a production
database (`analyze_database`).

Each sender posts a text with a fresh MsgId, for a fixed time after a short warm-up. An error is a
non-200 answer or a body that is neither XML nor WeChat's `success` (a late answer, counted apart).
After the bot's run its database is checked: one inbound row per accepted message and one outbound
row, marked sent, per reply text. The last line printed is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import contextlib
import hashlib
import itertools
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import cpu_profile, loop_watch  # noqa: E402  (after the path: the servers run this file from anywhere)

TOKEN = "bench-token"
APPID = "wxbench000000001"
SECRET = "bench-secret"
ACCOUNT = "gh_bench00000001"
CORPUS = Path(__file__).with_name("corpus.tsv")
PATHS = ("answer", "after_sales", "escalation")
PG_ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres"
REDIS_URL = "redis://127.0.0.1:6379/0"


@dataclass(frozen=True, slots=True)
class Sample:
    text: str
    intent: str
    path: str


def read_corpus(path: Path = CORPUS) -> list[Sample]:
    samples = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            text, intent, route = line.split("\t")
            samples.append(Sample(text, intent, route))
    return samples


# --- the servers (run with --serve in a subprocess) ---


#: Staffed all day: an escalation takes the real queue path whatever the hour the bench runs at
#: (outside the shop's hours it would be only the polite "we are closed" reply, a cheaper path).
STAFFED_ALL_DAY = "00:00-24:00"


def bot_settings(port: int, api_base: str, database_url: str, intent_cache: int, **extra: object):
    from bot.config import Settings

    return Settings(
        _env_file=None, bot_host="127.0.0.1", bot_port=port, database_url=database_url,
        wechat_token=TOKEN, wechat_appid=APPID, wechat_appsecret=SECRET, wechat_api_base=api_base,
        intent_cache_size=intent_cache, staffed_hours=STAFFED_ALL_DAY, **extra,
    )


def serve_bot(port: int, directory: Path, api_base: str, intent_cache: int) -> None:
    from aiohttp import web

    from bot.app import build_app
    from bot.server import new_event_loop, serving_settings
    from handlers import EXTENSIONS

    settings = bot_settings(port, api_base, f"sqlite://{directory / 'bot.sqlite3'}", intent_cache, redis_url=None)
    asyncio.run(create_demo_shop(settings))
    settings = serving_settings(settings)  # as `serve` runs a worker: CLASSIFIER_PROCESS decided for this machine
    app = build_app(settings, EXTENSIONS)
    loop_watch.attach(app, "bot")
    cpu_profile.attach("bot")
    web.run_app(app, host="127.0.0.1", port=port, access_log=None, print=None,
                loop=new_event_loop())  # the event loop `serve` runs on


async def create_demo_shop(settings) -> None:
    """The demo shop's customers and orders (`main.py demo-data`), so the corpus' order numbers exist."""
    from bot.runtime import Runtime
    from handlers import EXTENSIONS

    runtime = await Runtime.open(settings, EXTENSIONS, background=False)
    try:
        for extension in EXTENSIONS:
            if extension.demo_data is not None:
                await extension.demo_data(runtime.kit)
    finally:
        await runtime.close()


def serve_production(port: int, directory: Path, api_base: str, intent_cache: int, workers: int,
                     database_url: str, key_prefix: str) -> None:
    """`main.py serve --workers N` on PostgreSQL and Redis, each worker counting what it sends."""
    from bot.server import serve
    from handlers.referral.settings import ReferralSettings

    settings = bot_settings(port, api_base, database_url, intent_cache, redis_url=REDIS_URL,
                            redis_key_prefix=key_prefix).with_areas(
        ReferralSettings.load(_env_file=None, secret="bench-referral-secret-0123456789"))
    asyncio.run(create_demo_shop(settings))  # migrates the fresh database before any worker starts
    os.environ["CSBOT_BENCH_COUNTERS"] = str(directory)
    serve(counting_app, settings, workers=workers)


def counting_app(settings):
    """`main.make_app` plus in-process counters (module-level: spawned workers import it)."""
    from bench.counters import install
    from main import make_app

    app = make_app(settings)
    install(app, Path(os.environ["CSBOT_BENCH_COUNTERS"]))
    loop_watch.attach(app, "bot")
    return app


def serve_ceiling(port: int) -> None:
    from aiohttp import web
    from wechatpy import parse_message
    from wechatpy.exceptions import InvalidSignatureException
    from wechatpy.replies import create_reply
    from wechatpy.utils import check_signature

    async def wechat(request: web.Request) -> web.Response:
        query = request.query
        try:
            check_signature(TOKEN, query.get("signature", ""), query.get("timestamp", ""), query.get("nonce", ""))
        except InvalidSignatureException:
            return web.Response(status=403)
        if request.method == "GET":
            return web.Response(text=query.get("echostr", ""))
        message = parse_message(await request.read())
        return web.Response(text=create_reply(getattr(message, "content", ""), message, render=True),
                            content_type="application/xml")

    from bot.server import new_event_loop

    app = web.Application(client_max_size=1024 * 1024)
    app.router.add_route("*", "/wechat", wechat)
    loop_watch.attach(app, "ceiling")
    cpu_profile.attach("ceiling")
    web.run_app(app, host="127.0.0.1", port=port, access_log=None, print=None,
                loop=new_event_loop())  # the bot's loop (uvloop): the ratio compares the same loop


def serve_werobot(port: int, directory: Path) -> None:
    import io

    import werobot
    from aiohttp import web
    from werobot.session.sqlitestorage import SQLiteStorage

    robot = werobot.WeRoBot(token=TOKEN, session_storage=SQLiteStorage(str(directory / "werobot_session.sqlite3")))

    @robot.text
    def echo(message: object) -> str:
        return message.content  # type: ignore[attr-defined]

    wsgi_app = robot.wsgi
    worker = concurrent.futures.ThreadPoolExecutor(max_workers=1)

    def call_wsgi(environ: dict) -> tuple[int, list[tuple[str, str]], bytes]:
        started: dict = {}

        def start_response(status: str, headers: list, exc_info: object = None) -> None:
            started["status"], started["headers"] = int(status.split()[0]), headers

        chunks = wsgi_app(environ, start_response)
        try:
            body = b"".join(chunks)
        finally:
            if hasattr(chunks, "close"):
                chunks.close()
        return started["status"], started["headers"], body

    async def bridge(request: web.Request) -> web.Response:
        body = await request.read()
        environ = {
            "REQUEST_METHOD": request.method, "SCRIPT_NAME": "", "PATH_INFO": request.path,
            "QUERY_STRING": request.query_string, "CONTENT_TYPE": request.headers.get("Content-Type", ""),
            "CONTENT_LENGTH": str(len(body)), "SERVER_NAME": "127.0.0.1", "SERVER_PORT": str(port),
            "SERVER_PROTOCOL": "HTTP/1.1", "wsgi.version": (1, 0), "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(body), "wsgi.errors": sys.stderr, "wsgi.multithread": False,
            "wsgi.multiprocess": False, "wsgi.run_once": False,
        }
        for name, value in request.headers.items():
            environ["HTTP_" + name.upper().replace("-", "_")] = value
        status, headers, payload = await asyncio.get_running_loop().run_in_executor(worker, call_wsgi, environ)
        response = web.Response(status=status, body=payload)
        for name, value in headers:
            if name.lower() not in ("content-length", "transfer-encoding"):
                response.headers[name] = value
        return response

    app = web.Application(client_max_size=1024 * 1024)
    app.router.add_route("*", "/{tail:.*}", bridge)
    web.run_app(app, host="127.0.0.1", port=port, access_log=None, print=None)


# --- the client ---


def sign(timestamp: str, nonce: str) -> str:
    return hashlib.sha1("".join(sorted([TOKEN, timestamp, nonce])).encode()).hexdigest()


def text_xml(openid: str, content: str, msg_id: int, now: int) -> bytes:
    return (f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName><FromUserName><![CDATA[{openid}]]>"
            f"</FromUserName><CreateTime>{now}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
            f"<Content><![CDATA[{content}]]></Content><MsgId>{msg_id}</MsgId></xml>").encode()


@dataclass
class Result:
    latencies: list[float] = field(default_factory=list)
    by_path: dict[str, list[float]] = field(default_factory=dict)
    by_intent: dict[str, list[float]] = field(default_factory=dict)
    errors: int = 0
    late: int = 0  # answered `success`: the reply goes out through the kf API
    xml_replies: int = 0
    accepted: int = 0  # every 200, warm-up included (for the database check)
    passive_total: int = 0  # every XML reply, warm-up included
    elapsed: float = 0.0
    counts: Counter[str] = field(default_factory=Counter)  # counter deltas over the measured slices
    cpu: Counter[str] = field(default_factory=Counter)  # CPU seconds over the measured slices
    windows: list[tuple[float, float]] = field(default_factory=list)  # the measured slices, wall clock

    @property
    def rps(self) -> float:
        return len(self.latencies) / self.elapsed if self.elapsed else 0.0

    def percentile(self, q: float) -> float:
        return percentile(self.latencies, q)


def percentile(latencies: list[float], q: float) -> float:
    if not latencies:
        return float("nan")
    ordered = sorted(latencies)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


@dataclass
class Snapshot:
    counts: Counter[str]
    cpu: dict[str, float]  # seconds, by part (bot, db, ceiling)


Probe = Callable[[], Awaitable[Snapshot]]
MSG_IDS = itertools.count(int(time.time()) * 1_000_000)


def signed_message(n: int, text: str, customers: int) -> tuple[dict[str, str], bytes]:
    """Message `n` of a load, from customer n mod `customers`: the query WeChat signs, and the body."""
    openid = f"oBench{n % customers:06d}_{'x' * 16}"
    now, nonce = str(int(time.time())), str(n)
    body = text_xml(openid, text, next(MSG_IDS), int(now))
    return {"signature": sign(now, nonce), "timestamp": now, "nonce": nonce, "openid": openid}, body


async def load(url: str, corpus: list[Sample], seconds: float, concurrency: int, warmup: float, customers: int,
               probe: Probe, result: Result, serial: Iterator[int], settle_s: float = 0.3, rate: float = 0.0,
               after_warmup: Callable[[], Awaitable[None]] | None = None) -> None:
    """One slice: `concurrency` senders for `warmup` (not measured) then `seconds`, added to `result`.
    `serial` numbers messages across slices, so customers' conversations go on from one to the next.
    `settle_s`: the pause before and after the window, long enough for the probe to see its end.
    `rate`: at most this many messages a second in all (0: as fast as the senders' answers come).
    `after_warmup`: awaited once the warm-up is over, before the window (`Target.after_warmup`)."""
    next_slot = 0.0
    connector = aiohttp.TCPConnector(limit=concurrency, force_close=False)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def one(measure: bool) -> None:
            nonlocal next_slot
            if rate:  # paced: each message takes the next free slot of 1/rate s, and waits for it
                slot = next_slot = max(next_slot + 1 / rate, time.perf_counter())
                await asyncio.sleep(slot - time.perf_counter())
            n = next(serial)
            sample = corpus[n % len(corpus)]
            params, body = signed_message(n, sample.text, customers)
            started = time.perf_counter()
            try:
                async with session.post(url, params=params, data=body) as response:
                    payload = await response.read()
                    status = response.status
            except aiohttp.ClientError:
                status, payload = 0, b""
            latency = time.perf_counter() - started
            ok, late, is_xml = classify(status, payload)
            if status == 200:
                result.accepted += 1
                result.passive_total += is_xml
            if not measure:
                return
            result.latencies.append(latency)
            result.by_path.setdefault(sample.path, []).append(latency)
            result.by_intent.setdefault(sample.intent, []).append(latency)
            result.errors += not ok
            result.late += late
            result.xml_replies += is_xml

        async def sender(until: float, measure: bool) -> None:
            while time.perf_counter() < until:
                await one(measure)

        if warmup:
            await asyncio.gather(*(sender(time.perf_counter() + warmup, False) for _ in range(concurrency)))
            if after_warmup is not None:
                await after_warmup()
        await asyncio.sleep(settle_s)
        start = await probe()
        started, wall = time.perf_counter(), time.time()
        await asyncio.gather(*(sender(started + seconds, True) for _ in range(concurrency)))
        result.elapsed += time.perf_counter() - started
        result.windows.append((wall, time.time()))
        await asyncio.sleep(settle_s)
        end = await probe()
    result.counts.update({key: end.counts.get(key, 0) - start.counts.get(key, 0) for key in end.counts})
    result.cpu.update({part: end.cpu[part] - start.cpu.get(part, 0.0) for part in end.cpu})


def classify(status: int, payload: bytes) -> tuple[bool, bool, bool]:
    """(ok, late, xml): a 200 with an XML reply, or a 200 with `success`."""
    if status != 200:
        return False, False, False
    if payload.strip() in (b"success", b""):
        return True, True, False
    try:
        root = ET.fromstring(payload)
    except ET.ParseError:
        return False, False, False
    return root.tag == "xml" and root.find("Content") is not None, False, True


# --- orchestration ---


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def spawn(kind: str, port: int, directory: Path, log_path: Path, *extra: str) -> subprocess.Popen:
    """Start one server process (this script with --serve), its output going to `log_path`."""
    with open(log_path, "wb") as log:
        return subprocess.Popen(
            [sys.executable, __file__, "--serve", kind, "--port", str(port), "--dir", str(directory), *extra],
            cwd=str(ROOT), stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "PYTHONPATH": str(ROOT)},
        )


def tail(log_path: Path) -> str:
    return log_path.read_text(errors="replace")[-2000:]


@dataclass
class Server:
    url: str
    process: subprocess.Popen


@contextlib.asynccontextmanager
async def server(kind: str, directory: Path, *extra: str):
    port = free_port()
    log_path = directory / f"{kind}.log"
    process = spawn(kind, port, directory, log_path, *extra)
    url = f"http://127.0.0.1:{port}/wechat"
    try:
        await wait_ready(url, process, log_path)
        yield Server(url, process)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)  # aiohttp shuts down cleanly: the bot flushes its rows
            try:
                await asyncio.to_thread(process.wait, 60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


async def wait_ready(url: str, process: subprocess.Popen, log_path: Path, seconds: float = 120.0) -> None:
    async with aiohttp.ClientSession() as session:
        for _ in range(int(seconds * 10)):
            if process.poll() is not None:
                raise SystemExit(f"server exited early:\n{tail(log_path)}")
            now, nonce = str(int(time.time())), "1"
            params = {"signature": sign(now, nonce), "timestamp": now, "nonce": nonce, "echostr": "ready"}
            with contextlib.suppress(aiohttp.ClientError):
                async with session.get(url, params=params) as response:
                    if response.status == 200 and await response.text() == "ready":
                        return
            await asyncio.sleep(0.1)
    raise SystemExit(f"server did not come up:\n{tail(log_path)}")


ROW_COUNTS = {
    "inbound": "SELECT count(*) FROM message WHERE channel='wechat' AND direction='in'",
    "outbound": "SELECT count(*) FROM message WHERE channel='wechat' AND direction='out'",
    "outbound_sent": "SELECT count(*) FROM message WHERE channel='wechat' AND direction='out' "
                     "AND delivery_status='sent'",
}


def count_rows_sqlite(database: Path) -> dict[str, int]:
    with contextlib.closing(sqlite3.connect(database)) as db:
        return {name: db.execute(sql).fetchone()[0] for name, sql in ROW_COUNTS.items()}


async def count_rows_postgres(database_url: str) -> dict[str, int]:
    import asyncpg

    connection = await asyncpg.connect(database_url)
    try:
        return {name: await connection.fetchval(sql) for name, sql in ROW_COUNTS.items()}
    finally:
        await connection.close()


def check_rows(result: Result, rows: dict[str, int], kf_sends: int) -> bool:
    print(f"bot rows: {rows['inbound']} inbound for {result.accepted} accepted requests; "
          f"{rows['outbound']} outbound for {result.passive_total} passive replies + {kf_sends} kf sends, "
          f"{rows['outbound_sent']} marked sent", flush=True)
    persisted = (rows["inbound"] == result.accepted
                 and rows["outbound"] == rows["outbound_sent"] == result.passive_total + kf_sends)
    print("bot persisted every inbound and outbound message: " + ("yes" if persisted else "NO"), flush=True)
    return persisted


# --- CPU time from /proc ---

TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU of one process (0 when it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICKS


def process_tree(root: int) -> list[int]:
    """`root` and its descendants (the workers `serve` spawns)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, IndexError):
                parents[int(entry.name)] = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
    tree, frontier = [root], [root]
    while frontier:
        frontier = [pid for pid, parent in parents.items() if parent in frontier]
        tree += frontier
    return tree


class CpuOfProcesses:
    """User + system CPU of a changing set of processes, which never goes down: a process seen once
    keeps, after it ended, the CPU it had when last seen (what it used after that is lost). A plain
    sum over the processes alive at each probe took the whole CPU of one that ended between a window's
    two probes (an autovacuum worker on the bench's database) off the window's figure."""

    def __init__(self) -> None:
        self._seen: dict[tuple[int, int], float] = {}  # (pid, start time): a reused pid is another process

    def total(self, pids: list[int]) -> float:
        for pid in pids:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue  # gone already: whatever was seen of it stays
            self._seen[pid, int(fields[19])] = (int(fields[11]) + int(fields[12])) / TICKS
        return sum(self._seen.values())


async def analyze_database(database_url: str) -> int:
    """ANALYZE the bot's database, and the rows of its message table then.

    The bench's database is created empty and dropped ~40 s later, less than `autovacuum_naptime`
    (1 min): whether autovacuum's first ANALYZE of `message` lands inside the run was luck. Until it
    does, the group commit's prepared statement keeps the generic plan PostgreSQL made when the table
    was nearly empty (a nested loop over a sequential scan of every outbound message, for each batch's
    delivery marks), and the backends' CPU per message grew with the table (1.2 against 0.13 ms,
    p99 112 against 62 ms: docs/performance.md, "Tenth round: PostgreSQL's CPU spikes"). A production
    database has the statistics autovacuum keeps; the bench takes them once its warm-up wrote rows,
    which invalidates the plans, so every run measures the plans production runs. Run on a connection
    of its own, closed before the next probe (whose backends' CPU it would join)."""
    import asyncpg

    connection = await asyncpg.connect(database_url)
    try:
        await connection.execute("ANALYZE")
        return await connection.fetchval("SELECT reltuples::bigint FROM pg_class WHERE relname = 'message'")
    finally:
        await connection.close()


async def database_backends(database_url: str, name: str) -> list[int]:
    import asyncpg

    connection = await asyncpg.connect(database_url)
    try:
        rows = await connection.fetch("SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> "
                                      "pg_backend_pid()", name)
        return [row["pid"] for row in rows]
    finally:
        await connection.close()


# --- reports ---


def report(name: str, result: Result) -> None:
    print(f"{name:9s} {result.rps:8.0f} req/s   p50 {result.percentile(0.5):7.1f} ms   "
          f"p99 {result.percentile(0.99):7.1f} ms   requests {len(result.latencies)}   errors {result.errors}"
          f"   late(success) {result.late}", flush=True)


def report_groups(result: Result) -> dict[str, dict[str, float]]:
    """p50/p99 per path, then per intent (corpus labels), so a slow path shows."""
    table: dict[str, dict[str, float]] = {}
    for title, groups in (("path", result.by_path), ("intent", result.by_intent)):
        print(f"  by {title}:", flush=True)
        order = [p for p in PATHS if p in groups] if title == "path" else sorted(groups)
        for name in order:
            latencies = groups[name]
            row = {"n": len(latencies), "p50_ms": round(percentile(latencies, 0.5), 1),
                   "p99_ms": round(percentile(latencies, 0.99), 1)}
            table[name] = row
            print(f"    {name:22s} n {row['n']:6d}   p50 {row['p50_ms']:7.1f} ms   p99 {row['p99_ms']:7.1f} ms",
                  flush=True)
    return table


def per_message(result: Result) -> dict[str, float]:
    """Counters and CPU over the measured slices, per message the workers handled."""
    delta = result.counts
    messages = delta.get("messages", 0) or 1
    figures = {
        "messages_counted": delta.get("messages", 0),
        "db_queries_per_msg": (delta.get("pg_statements", 0) + delta.get("pg_batches", 0)) / messages,
        "db_statements_outside_batches_per_msg": delta.get("pg_statements", 0) / messages,
        "db_queries_per_msg_after_first_sight": (delta.get("pg_statements", 0) - delta.get("pg_identify_statements", 0)
                                                 + delta.get("pg_batches", 0)) / messages,
        "first_sights_per_msg": delta.get("first_sights", 0) / messages,
        "db_statements_per_first_sight": delta.get("pg_identify_statements", 0) / (delta.get("first_sights", 0) or 1),
        "db_batch_statements_per_msg": delta.get("pg_batch_statements", 0) / messages,
        "db_batches_per_msg": delta.get("pg_batches", 0) / messages,
        "redis_commands_per_msg": delta.get("redis_commands", 0) / messages,
        "redis_message_path_commands_per_msg": (delta.get("redis_commands", 0)
                                                - delta.get("redis_background_commands", 0)) / messages,
        "redis_background_commands_per_s": delta.get("redis_background_commands", 0) / (result.elapsed or 1),
        "redis_round_trips_per_msg": delta.get("redis_round_trips", 0) / messages,
        "bot_cpu_ms_per_msg": result.cpu["bot"] * 1000 / messages,
        "db_cpu_ms_per_msg": result.cpu["db"] * 1000 / messages,
    }
    commands = {key.removeprefix("redis:"): value / messages for key, value in delta.items()
                if key.startswith("redis:") and value}
    print(f"per message ({delta.get('messages', 0)} handled in the window): "
          f"DB queries {figures['db_queries_per_msg']:.2f} (group-commit batch counted once; "
          f"{figures['db_statements_outside_batches_per_msg']:.2f} outside batches + "
          f"{figures['db_batches_per_msg']:.3f} batches of {figures['db_batch_statements_per_msg']:.2f} statements"
          f"/msg; {figures['first_sights_per_msg']:.2f} first sights of a customer per message, "
          f"{figures['db_statements_per_first_sight']:.1f} statements each; without them "
          f"{figures['db_queries_per_msg_after_first_sight']:.2f}/msg), "
          f"Redis commands {figures['redis_commands_per_msg']:.2f} in "
          f"{figures['redis_round_trips_per_msg']:.2f} round trips "
          f"({figures['redis_message_path_commands_per_msg']:.2f} on the message path; background "
          f"{figures['redis_background_commands_per_s']:.0f}/s: scheduler ticker and lease heartbeat), CPU ms: bot "
          f"{figures['bot_cpu_ms_per_msg']:.2f} (all the server's processes: master, workers and their "
          f"classifier processes), PostgreSQL backends {figures['db_cpu_ms_per_msg']:.2f}",
          flush=True)
    print("  Redis commands per message: " + ", ".join(f"{k} {v:.2f}" for k, v in sorted(commands.items())),
          flush=True)
    return {key: round(value, 3) for key, value in figures.items()}


# --- the runs ---


@dataclass
class Target:
    """A server under load: where to post, how to read its counters, and (after it stopped) its rows."""

    url: str
    probe: Probe
    pid: int  # the server's first process
    rows: dict[str, int] = field(default_factory=dict)
    settle_s: float = 0.3  # the pause around a window (production: the workers' counter files lag)
    after_warmup: Callable[[], Awaitable[None]] | None = None  # run between the warm-up and the first window


def cpu_probe(pid: int, part: str) -> Probe:
    """The CPU of `pid` and its descendants as `part`, and of `pid` alone as `part`_own (the bot's own
    process: its event loop, without the classifier process beside it)."""
    async def probe() -> Snapshot:
        tree = sum(cpu_seconds(p) for p in process_tree(pid))
        return Snapshot(Counter(), {part: tree, f"{part}_own": cpu_seconds(pid)})

    return probe


def profiled(probe: Probe, pid: int) -> Probe:
    """`probe`, turning the server's CPU sampling on at a measured window's start and off at its end
    (`load` probes once at each; bench/cpu_profile.py)."""
    started = False

    async def toggled() -> Snapshot:
        nonlocal started
        if started:
            cpu_profile.toggle(process_tree(pid), on=False)
        snapshot = await probe()
        if not started:
            cpu_profile.toggle(process_tree(pid), on=True)
        started = not started
        return snapshot

    return toggled


@contextlib.asynccontextmanager
async def embedded_bot(directory: Path, args: argparse.Namespace, wechat) -> AsyncIterator[Target]:
    async with server("bot", directory, "--api-base", wechat.url, "--intent-cache", str(args.intent_cache)) as bot:
        target = Target(bot.url, cpu_probe(bot.process.pid, "bot"), bot.process.pid)
        yield target
    target.rows = count_rows_sqlite(directory / "bot.sqlite3")


@contextlib.asynccontextmanager
async def production_bot(directory: Path, args: argparse.Namespace, wechat) -> AsyncIterator[Target]:
    """`serve --workers N` on a fresh PostgreSQL database and a fresh Redis key prefix, both dropped after."""
    import asyncpg
    from redis.asyncio import Redis

    from bench.counters import DUMP_EVERY_S, read_all

    name = f"csbot_bench_{os.getpid()}_{int(time.time())}"
    database_url = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    prefix = f"bench{os.getpid()}"
    admin = await asyncpg.connect(PG_ADMIN_URL)
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        counters = directory / "counters"
        counters.mkdir()
        extra = ("--api-base", wechat.url, "--intent-cache", str(args.intent_cache), "--workers", str(args.workers),
                 "--database-url", database_url, "--key-prefix", prefix)
        async with server("production", directory, *extra) as bot:
            backends_cpu = CpuOfProcesses()

            async def probe() -> Snapshot:
                backends = await database_backends(PG_ADMIN_URL, name)
                return Snapshot(read_all(counters), {
                    "bot": sum(cpu_seconds(pid) for pid in process_tree(bot.process.pid)),
                    "db": backends_cpu.total(backends)})

            async def analyze() -> None:
                print(f"statistics taken after the warm-up: {await analyze_database(database_url)} message rows",
                      flush=True)

            target = Target(bot.url, probe, bot.process.pid, settle_s=DUMP_EVERY_S + 0.3, after_warmup=analyze)
            yield target
        target.rows = await count_rows_postgres(database_url)
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
        redis = Redis.from_url(REDIS_URL)
        keys = [key async for key in redis.scan_iter(match=f"{prefix}:*", count=1000)]
        for start in range(0, len(keys), 500):
            await redis.delete(*keys[start:start + 500])
        await redis.aclose()


async def main(args: argparse.Namespace) -> None:
    from tests.fakes.wechat_server import FakeWeChat

    corpus = read_corpus()
    warmup = min(2.0, max(0.5, args.seconds / 5))
    if args.rate:  # paced: the warm-up lasts until every customer has written once (first sights apart)
        warmup = max(warmup, args.customers / args.rate)
    slice_s = args.seconds / args.rounds
    mode = f"production parts, {args.workers} worker(s)" if args.production else "embedded default"
    print(f"{mode}: {len(corpus)} corpus messages, {args.concurrency} concurrent senders, {args.customers} "
          f"customers taking turns, intent cache {args.intent_cache or 'off'}; {args.rounds} rounds of "
          f"{slice_s:g} s on the bot then {slice_s:g} s on the ceiling, after {warmup:g} s warm-up each"
          + (f", paced at {args.rate:g} messages/s" if args.rate else ""), flush=True)
    bot, ceiling, werobot = Result(), Result(), None
    bot_serial, ceiling_serial = itertools.count(), itertools.count()
    with tempfile.TemporaryDirectory(prefix="csbot-bench-") as tmp:
        directory = Path(tmp)
        if args.stalls:  # the servers inherit it (bench/loop_watch.py)
            (directory / "loops").mkdir()
            os.environ[loop_watch.ENV] = str(directory / "loops")
        if args.profile:  # the servers inherit it (bench/cpu_profile.py)
            (directory / "profile").mkdir()
            os.environ[cpu_profile.ENV] = str(directory / "profile")
        async with FakeWeChat(appid=APPID, secret=SECRET) as wechat:
            start_bot = production_bot if args.production else embedded_bot
            async with start_bot(directory, args, wechat) as target, server("ceiling", directory) as bare:
                bare_probe = cpu_probe(bare.process.pid, "ceiling")
                if args.profile:
                    target.probe = profiled(target.probe, target.pid)
                    bare_probe = profiled(bare_probe, bare.process.pid)
                for round_no in range(args.rounds):
                    first = warmup if round_no == 0 else 0.0
                    await load(target.url, corpus, slice_s, args.concurrency, first, args.customers, target.probe,
                               bot, bot_serial, target.settle_s, rate=args.rate,
                               after_warmup=target.after_warmup if round_no == 0 else None)
                    await load(bare.url, corpus, slice_s, args.concurrency, first, args.customers, bare_probe,
                               ceiling, ceiling_serial, rate=args.rate)
            kf_sends = len(wechat.delivered())
        report("bot", bot)
        groups = report_groups(bot)
        report("ceiling", ceiling)
        loops = {}
        if args.stalls:
            for name, result in (("bot", bot), ("ceiling", ceiling)):
                loops[name] = loop_watch.summary(directory / "loops", name, result.windows)
                print(loop_watch.describe(name, loops[name]), flush=True)
        profiles = {}
        if args.profile:
            for name in ("bot", "ceiling"):
                profiles[name] = cpu_profile.summary(directory / "profile", name)
                print(cpu_profile.describe(name, profiles[name]), flush=True)
        if args.production:
            figures = per_message(bot)
        else:
            figures = {part: round(bot.cpu[name] * 1000 / max(1, len(bot.latencies)), 3)
                       for part, name in (("bot_cpu_ms_per_msg", "bot"), ("bot_own_cpu_ms_per_msg", "bot_own"))}
        figures["ceiling_cpu_ms_per_msg"] = round(ceiling.cpu["ceiling"] * 1000 / max(1, len(ceiling.latencies)), 3)
        own = f", of which its own process {figures['bot_own_cpu_ms_per_msg']:.2f} ms" if not args.production else ""
        print(f"CPU per message: bot {figures['bot_cpu_ms_per_msg']:.2f} ms (the server's processes and their "
              f"children: the classifier process included{own}), ceiling "
              f"{figures['ceiling_cpu_ms_per_msg']:.2f} ms", flush=True)
        persisted = check_rows(bot, target.rows, kf_sends)
        if args.werobot:
            try:
                import werobot as _werobot  # noqa: F401
            except ImportError:
                print("werobot not installed: skipped", flush=True)
            else:
                werobot = Result()
                async with server("werobot", directory) as robot:
                    await load(robot.url, corpus, args.seconds, args.concurrency, warmup, args.customers,
                               cpu_probe(robot.process.pid, "werobot"), werobot, itertools.count(), rate=args.rate)
                report("werobot", werobot)
    print(json.dumps({
        "mode": "production" if args.production else "embedded", "workers": args.workers if args.production else 1,
        "rate": args.rate,
        "bot_rps": round(bot.rps, 1), "bot_p50_ms": round(bot.percentile(0.5), 2),
        "bot_p99_ms": round(bot.percentile(0.99), 2), "errors": bot.errors, "late": bot.late,
        "persisted": persisted, "ceiling_rps": round(ceiling.rps, 1),
        "ceiling_p99_ms": round(ceiling.percentile(0.99), 2),
        "ratio": round(bot.rps / ceiling.rps, 3) if ceiling.rps else None,
        "werobot_rps": round(werobot.rps, 1) if werobot else None,
        "paths": {p: groups[p] for p in PATHS if p in groups}, **figures, **({"loops": loops} if loops else {}),
        **({"profile": profiles} if profiles else {}),
    }, ensure_ascii=False))


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=12.0, help="measured seconds per server, all rounds")
    parser.add_argument("--rounds", type=int, default=3,
                        help="bot and ceiling take turns this many times (a shared machine's load shifts)")
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--rate", type=float, default=0.0,
                        help="at most this many messages a second in all (0: closed loop, as fast as answered); "
                             "two codes compared at the same rate give comparable CPU per message")
    parser.add_argument("--customers", type=int, default=200,
                        help="distinct openids taking turns (200: each sends many messages in a run)")
    parser.add_argument("--intent-cache", type=int, default=0,
                        help="INTENT_CACHE_SIZE for the bot (default 0: every message classified at first sight)")
    parser.add_argument("--production", action="store_true", help="PostgreSQL + Redis, `serve --workers N`")
    parser.add_argument("--workers", type=int, default=1, help="with --production")
    parser.add_argument("--no-werobot", dest="werobot", action="store_false", help="skip the WeRoBot reference")
    parser.add_argument("--stalls", action="store_true",
                        help="record the event loop's turns and the collector's pauses in the bot and the ceiling "
                             "(bench/loop_watch.py; costs a wake-up per turn)")
    parser.add_argument("--profile", action="store_true",
                        help="sample the bot's and the ceiling's CPU by function in the measured windows (embedded "
                             "only; bench/cpu_profile.py; costs a signal per millisecond of CPU)")
    parser.add_argument("--serve", choices=["bot", "production", "ceiling", "werobot"], help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--dir", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--api-base", help=argparse.SUPPRESS)
    parser.add_argument("--database-url", help=argparse.SUPPRESS)
    parser.add_argument("--key-prefix", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.profile and args.production:
        parser.error("--profile samples the embedded bot only")
    return args


if __name__ == "__main__":
    args = parse_args()
    if args.serve == "bot":
        serve_bot(args.port, args.dir, args.api_base, args.intent_cache)
    elif args.serve == "production":
        serve_production(args.port, args.dir / "counters", args.api_base, args.intent_cache, args.workers,
                         args.database_url, args.key_prefix)
    elif args.serve == "ceiling":
        serve_ceiling(args.port)
    elif args.serve == "werobot":
        serve_werobot(args.port, args.dir)
    else:
        asyncio.run(main(args))
