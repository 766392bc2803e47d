"""Fault bench: WeChat customers against the server as production runs it, while things break.

Runs `main.py serve --workers 2` on a private PostgreSQL cluster (initdb under a temporary directory,
run as the `postgres` user, so it can be restarted without touching anyone else's) and a private
`redis-server` on a spare port, with WeChat's API played by the fake from tests/fakes. Phases, each
with its own customers (conversations of several messages, sent the way WeChat does: a 5 s wait per
try, up to three tries, and some retries racing the first try):

    baseline          nothing breaks
    websockets        2,000 idle web-chat WebSockets are held open during the phase
    kill-worker       a worker gets SIGKILL (the master replaces it)
    redis-restart     Redis stops and starts again, empty (no persistence), about 3 s out
    postgres-restart  PostgreSQL stops (immediate) and starts again, about 3 s out

Each customer waits for an answer (up to 20 s for one sent through the customer-service API after
`success`) before the next question. Afterwards the bench waits for late answers to settle and
counts, per phase, from the fake's sent log, the passive replies and the database: messages sent,
stored (inbound row), answered (a reply reached the customer before their next message), answered
twice (the same text reached them twice for one message), lost (no reply) and 5xx seen by WeChat;
`fault_s` is how long the fault lasted (for kill-worker: until the replacement was ready). Last
line: one JSON object.

    .venv/bin/python bench/faults.py [--customers 120] [--messages 3]

Needs root (it runs PostgreSQL as `postgres` with runuser) and PostgreSQL's and Redis's binaries.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import asyncpg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.fakes.wechat_server import FakeWeChat  # noqa: E402
from tests.fakes.wechat_user import TOKEN, WeChatUser  # noqa: E402

PHASES = ("baseline", "websockets", "kill-worker", "redis-restart", "postgres-restart")
WECHAT_WAIT_S = 5.0  # WeChat gives up on a try after 5 s ...
WECHAT_TRIES = 3  # ... and tries three times in all
RACING_RETRY_SHARE = 0.1  # messages whose retry arrives while the first try is still running
FAULT_AT_S = 4.0
OUTAGE_S = 3.0
IDLE_SOCKETS = 2000
SETTLE_S = 60.0
ANSWER_WAIT_S = 20.0  # how long a customer waits for an answer sent after `success` before asking on
READY = re.compile(r"worker (\d+) ready \(pid (\d+)\)")

# Questions the way customers type them: an opening, a question, sometimes a tail.
OPENINGS = ("", "你好，", "在吗？", "亲，", "请问", "老板，", "您好 ", "hi，")
QUESTIONS = ("什么时候发货", "发什么快递", "几号能发出", "有没有优惠券", "包邮吗", "能便宜点吗", "有赠品吗",
             "满减活动怎么参加", "可以开发票吗", "尺码怎么选", "这款保温杯还有货吗", "M码适合多重的人")
TAILS = ("", "？", "呀", "～", "，谢谢", "，急用", "??")


def customer_text(rng: random.Random) -> str:
    return rng.choice(OPENINGS) + rng.choice(QUESTIONS) + rng.choice(TAILS)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run(*command: str) -> None:
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=120)


# --- private services ---


class PrivatePostgres:
    """A throw-away cluster under `base`, owned and run by the `postgres` user, on its own port."""

    def __init__(self, base: Path) -> None:
        self.base = base / "pg"
        self.data = self.base / "data"
        self.port = free_port()
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/bench"

    def _as_postgres(self, *command: str) -> None:
        run("runuser", "-u", "postgres", "--", *command)

    def create(self) -> None:
        self.base.mkdir()
        shutil.chown(self.base, "postgres", "postgres")
        self._as_postgres("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "-E", "UTF8",
                          "--no-sync")
        self.start()
        run("psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-c", "CREATE DATABASE bench")

    def start(self) -> None:
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.base} -c max_connections=200"
        self._as_postgres("pg_ctl", "-D", str(self.data), "-l", str(self.base / "log"), "-o", options, "-w",
                          "start")

    def stop(self, mode: str = "fast") -> None:
        self._as_postgres("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")


class PrivateRedis:
    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--bind", "127.0.0.1", "--port", str(self.port), "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL)
        for _ in range(100):
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.05)
        raise RuntimeError("private redis did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(30)
            self.process = None


class Server:
    def __init__(self, base: Path, env: dict[str, str], port: int) -> None:
        self.log_path = base / "serve.log"
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen([sys.executable, "main.py", "serve", "--workers", "2"], cwd=ROOT,
                                            env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def wait_ready(self, after: int = 0) -> None:
        deadline = time.monotonic() + 300
        while self.log().count("2 of 2 workers ready") <= after - 1 or "2 of 2 workers ready" not in self.log():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("server did not start:\n" + self.log()[-3000:])
            time.sleep(0.2)

    def worker_pids(self) -> dict[int, int]:
        return {int(slot): int(pid) for slot, pid in READY.findall(self.log())}

    def wait_replaced(self, slot: int, pid: int) -> None:
        deadline = time.monotonic() + 120
        while self.worker_pids().get(slot) == pid and time.monotonic() < deadline:
            time.sleep(0.1)

    def stop(self) -> int:
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(90)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            return -9


# --- load ---


@dataclass
class Sent:
    """One message as the customer experienced it."""

    msg_id: str
    openid: str
    first_kf: int  # index in the fake's sent log when the message went out
    passive: str | None = None  # the passive reply's text, if WeChat got one
    end_kf: int | None = None  # where the next message of the customer started (None: the last one)


@dataclass
class Phase:
    name: str
    messages: list[Sent] = field(default_factory=list)
    statuses: Counter[str] = field(default_factory=Counter)
    tries: int = 0
    fault: str = ""
    outage_s: float = 0.0
    sockets: dict[str, int] = field(default_factory=dict)


async def one_try(user: WeChatUser, xml: str, phase: Phase) -> str | None:
    """One POST as WeChat makes it; the passive reply's text, "" for `success`, None for no answer."""
    phase.tries += 1
    try:
        async with asyncio.timeout(WECHAT_WAIT_S):
            reply = await user.send(user.signed(xml))
    except (TimeoutError, aiohttp.ClientError):
        phase.statuses["no answer"] += 1
        return None
    phase.statuses[str(reply.status)] += 1
    if reply.status != 200:
        return None
    return reply.xml.get("Content", "") if reply.xml else ""


async def deliver(user: WeChatUser, xml: str, phase: Phase, rng: random.Random) -> str | None:
    """WeChat's side of one message: tries until an HTTP 200, at most three, 5 s apart."""
    racing: asyncio.Task[str | None] | None = None
    if rng.random() < RACING_RETRY_SHARE:
        async def race() -> str | None:
            await asyncio.sleep(rng.uniform(0.05, 1.0))
            return await one_try(user, xml, phase)
        racing = asyncio.create_task(race())
    answer: str | None = None
    for _ in range(WECHAT_TRIES):
        started = time.monotonic()
        answer = await one_try(user, xml, phase)
        if answer is not None:
            break
        await asyncio.sleep(max(WECHAT_WAIT_S - (time.monotonic() - started), 0))
    if racing is not None:
        raced = await racing
        answer = answer or raced  # WeChat shows one passive reply per message
    return answer or None


async def customer(user: WeChatUser, messages: int, phase: Phase, rng: random.Random, start_in: float,
                   fake: FakeWeChat) -> None:
    """A customer asks, waits for the answer (passive, or up to ANSWER_WAIT_S for one through the
    customer-service API), reads it, and asks the next question."""
    await asyncio.sleep(start_in)
    previous: Sent | None = None
    for _ in range(messages):
        xml = user.text(customer_text(rng))
        message = Sent(re.search(r"<MsgId>(\d+)</MsgId>", xml).group(1), user.openid, len(fake.sent))
        if previous is not None:
            previous.end_kf = message.first_kf
        phase.messages.append(message)
        message.passive = await deliver(user, xml, phase, rng)
        if message.passive is None:
            deadline = time.monotonic() + ANSWER_WAIT_S
            while not _kf_texts(fake, message) and time.monotonic() < deadline:  # noqa: ASYNC110 (a log, no event)
                await asyncio.sleep(0.2)
        previous = message
        await asyncio.sleep(rng.uniform(0.3, 1.5))


def _kf_texts(fake: FakeWeChat, message: Sent) -> list[str]:
    """Customer-service texts to the message's customer between it and their next message."""
    window = fake.sent[message.first_kf:message.end_kf]
    return [sent.content for sent in window if sent.openid == message.openid and sent.errcode == 0]


async def hold_sockets(url: str, count: int, phase: Phase, opened_all: asyncio.Event,
                       release: asyncio.Event) -> None:
    opened: list[aiohttp.ClientWebSocketResponse] = []
    failures: Counter[str] = Counter()
    session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0),
                                    timeout=aiohttp.ClientTimeout(total=None, connect=10, sock_read=None))

    async def open_one(i: int) -> None:
        try:
            async with session.post(f"{url}/api/webchat/visitor", json={}) as issued:  # the page's first visit
                token = (await issued.json())["token"]
            opened.append(await session.ws_connect(f"{url}/ws/webchat?token={token}", heartbeat=None))
        except (aiohttp.ClientError, TimeoutError, KeyError, ValueError) as exc:
            failures[type(exc).__name__] += 1

    for first in range(0, count, 100):
        await asyncio.gather(*(open_one(i) for i in range(first, min(first + 100, count))))
    opened_all.set()
    await release.wait()
    still_open = sum(1 for ws in opened if not ws.closed)
    phase.sockets = {"asked": count, "opened": len(opened), "open_at_end": still_open,
                     "failed": sum(failures.values())}
    await asyncio.gather(*(ws.close() for ws in opened), return_exceptions=True)
    await session.close()


async def inject(name: str, phase: Phase, server: Server, redis: PrivateRedis, pg: PrivatePostgres) -> None:
    await asyncio.sleep(FAULT_AT_S)
    started = time.monotonic()
    if name == "kill-worker":
        pid = server.worker_pids()[0]
        os.kill(pid, signal.SIGKILL)
        phase.fault = f"SIGKILL worker pid {pid}"
        await asyncio.to_thread(server.wait_replaced, 0, pid)
    elif name == "redis-restart":
        await asyncio.to_thread(redis.stop)
        await asyncio.sleep(OUTAGE_S)
        await asyncio.to_thread(redis.start)
        phase.fault = "redis-server stopped and started empty"
    elif name == "postgres-restart":
        await asyncio.to_thread(pg.stop, "immediate")
        await asyncio.sleep(OUTAGE_S)
        await asyncio.to_thread(pg.start)
        phase.fault = "PostgreSQL stopped (immediate) and started"
    phase.outage_s = round(time.monotonic() - started, 1)


async def run_phase(name: str, args: argparse.Namespace, server: Server, redis: PrivateRedis,
                    pg: PrivatePostgres, fake: FakeWeChat, session: aiohttp.ClientSession, index: int) -> Phase:
    phase = Phase(name)
    rng = random.Random(index)
    release, opened = asyncio.Event(), asyncio.Event()
    holder = (asyncio.create_task(hold_sockets(server.url, IDLE_SOCKETS, phase, opened, release))
              if name == "websockets" else None)
    if holder is not None:
        await opened.wait()  # every socket is open (or has failed) before the customers come
    base = WeChatUser(session, f"{server.url}/wechat", token=TOKEN, first_msg_id=(index + 1) * 10_000_000)
    fault = asyncio.create_task(inject(name, phase, server, redis, pg))
    await asyncio.gather(*(
        customer(base.as_user(f"o_{name}_{n:04d}"), args.messages, phase, rng, rng.uniform(0, 8), fake)
        for n in range(args.customers)))
    await fault
    release.set()
    if holder is not None:
        await holder
    return phase


async def settle(fake: FakeWeChat) -> None:
    """Wait until no late answer has reached the fake for 10 s (at most SETTLE_S)."""
    deadline = time.monotonic() + SETTLE_S
    seen, quiet_since = len(fake.sent), time.monotonic()
    while time.monotonic() < deadline and time.monotonic() - quiet_since < 10:
        await asyncio.sleep(0.5)
        if len(fake.sent) != seen:
            seen, quiet_since = len(fake.sent), time.monotonic()


async def stored_ids(pg: PrivatePostgres) -> Counter[str]:
    connection = await asyncpg.connect(pg.url)
    try:
        rows = await connection.fetch("SELECT source_id FROM message WHERE channel = 'wechat' AND direction = 'in'")
    finally:
        await connection.close()
    return Counter(row["source_id"] for row in rows)


def figures(phase: Phase, fake: FakeWeChat, stored: Counter[str]) -> dict[str, object]:
    """Per message: answered when any reply reached the customer before their next message (or the
    end); answered twice when the same text reached them twice (a long answer's parts differ)."""
    answered = twice = 0
    for message in phase.messages:
        texts = ([message.passive] if message.passive else []) + _kf_texts(fake, message)
        answered += bool(texts)
        twice += len(texts) != len(set(texts))
    sent = len(phase.messages)
    result: dict[str, object] = {
        "sent": sent, "stored": sum(1 for message in phase.messages if stored[message.msg_id] > 0),
        "stored_twice": sum(1 for message in phase.messages if stored[message.msg_id] > 1),
        "answered": answered, "answered_twice": twice, "lost": sent - answered,
        "5xx": sum(count for status, count in phase.statuses.items() if status.startswith("5")),
        "no_answer_tries": phase.statuses["no answer"], "tries": phase.tries, "fault": phase.fault or "none",
        "fault_s": phase.outage_s,
    }
    if phase.sockets:
        result["websockets"] = phase.sockets
    return result


async def main_async(args: argparse.Namespace, base: Path) -> dict[str, object]:
    pg = PrivatePostgres(base)
    await asyncio.to_thread(pg.create)
    redis = PrivateRedis()
    redis.start()
    fake = await FakeWeChat().start()
    port = free_port()
    env = {
        "PATH": os.environ.get("PATH", ""), "BOT_PORT": str(port), "DATABASE_URL": pg.url,
        "REDIS_URL": redis.url, "REFERRAL_SECRET": "fault-bench-secret-0123456789",
        "WEBCHAT_SECRET": "fault-bench-webchat-0123456789",
        "WECHAT_TOKEN": TOKEN, "WECHAT_APPID": fake.appid, "WECHAT_APPSECRET": fake.secret,
        "WECHAT_API_BASE": fake.url, "LOG_LEVEL": "INFO", "STAFFED_HOURS": "00:00-24:00",
    }
    server = Server(base, env, port)
    phases: list[Phase] = []
    try:
        await asyncio.to_thread(server.wait_ready)
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:
            for index, name in enumerate(PHASES):
                started = time.monotonic()
                phases.append(await run_phase(name, args, server, redis, pg, fake, session, index))
                print(f"phase {name}: {len(phases[-1].messages)} messages in "
                      f"{time.monotonic() - started:.0f} s", file=sys.stderr)
            await settle(fake)
        stored = await stored_ids(pg)
        report = {phase.name: figures(phase, fake, stored) for phase in phases}
    finally:
        exit_code = await asyncio.to_thread(server.stop)
        await fake.close()
        redis.stop()
        await asyncio.to_thread(pg.stop)
    log = server.log()
    return {"phases": report, "server_exit": exit_code, "worker_restarts": log.count("restarting in"),
            "server_errors_logged": len(re.findall(r" ERROR ", log)), "customers_per_phase": args.customers,
            "messages_per_customer": args.messages}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=120)
    parser.add_argument("--messages", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory (logs)")
    args = parser.parse_args()
    base = Path(tempfile.mkdtemp(prefix="csbot-faults-"))
    os.chmod(base, 0o755)
    try:
        result = asyncio.run(main_async(args, base))
    finally:
        if not args.keep:
            shutil.rmtree(base, ignore_errors=True)
    columns = ("sent", "stored", "answered", "answered_twice", "lost", "5xx", "no_answer_tries", "fault_s")
    print("| phase | " + " | ".join(columns) + " |")
    print("|---" * (len(columns) + 1) + "|")
    for name, row in result["phases"].items():
        print(f"| {name} | " + " | ".join(str(row[c]) for c in columns) + " |")
        if "websockets" in row:
            print(f"  websockets: {row['websockets']}")
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
