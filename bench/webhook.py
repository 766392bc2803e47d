"""Load `/wechat` with signed plaintext text messages and compare the bot with two references.

    .venv/bin/python bench/webhook.py [--seconds 10] [--concurrency 50]

One aiohttp client (in this process) drives, in turn, three servers, each in its own process so
the client does not starve it:

1. the bot: the real app (`bot.app.build_app` with `handlers.EXTENSIONS`, the shop's routers) on
   its embedded default (SQLite file in a temp dir, in-process store), WeChat enabled through settings, its API base
   pointed at a `FakeWeChat` run here (late answers go out through it);
2. the ceiling: a bare aiohttp endpoint that only checks the signature, parses with wechatpy and
   echoes the text back as a passive reply;
3. WeRoBot (when importable), an echo bot with its default session storage (SQLite), served
   under aiohttp through a small WSGI bridge that runs the WSGI app in one worker thread (WSGI is
   synchronous, and WeRoBot's SQLite session store shares one connection); the subprocess
   choice keeps its GIL away from the client.

Each sender posts a text from one of many distinct customers (openids) with a fresh MsgId, for a
fixed time after a short warm-up. An error is a non-200 answer or a body that is neither XML nor
WeChat's `success` (a late answer, counted apart). After the bot's run its database is checked:
one inbound row per accepted message and one outbound row, marked sent, per reply text.
The last line printed is one JSON object with the figures.
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
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TOKEN = "bench-token"
APPID = "wxbench000000001"
SECRET = "bench-secret"
ACCOUNT = "gh_bench00000001"
QUESTIONS = ("你好", "什么时候发货", "我想退货", "谢谢", "可以开发票吗", "有优惠券吗", "快递到哪了", "怎么改地址")


# --- the servers (run with --serve in a subprocess) ---


def serve_bot(port: int, directory: Path, api_base: str) -> None:
    from aiohttp import web

    from bot.app import build_app
    from bot.config import Settings
    from handlers import EXTENSIONS

    settings = Settings(
        _env_file=None, database_url=f"sqlite://{directory / 'bot.sqlite3'}", redis_url=None,
        wechat_token=TOKEN, wechat_appid=APPID, wechat_appsecret=SECRET, wechat_api_base=api_base,
    )
    web.run_app(build_app(settings, EXTENSIONS), host="127.0.0.1", port=port, access_log=None, print=None)


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

    app = web.Application(client_max_size=1024 * 1024)
    app.router.add_route("*", "/wechat", wechat)
    web.run_app(app, host="127.0.0.1", port=port, access_log=None, print=None)


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
    errors: int = 0
    late: int = 0  # answered `success`: the reply goes out through the kf API
    xml_replies: int = 0
    accepted: int = 0  # every 200, warm-up included (for the database check)
    passive_total: int = 0  # every XML reply, warm-up included
    elapsed: float = 0.0

    @property
    def rps(self) -> float:
        return len(self.latencies) / self.elapsed if self.elapsed else 0.0

    def percentile(self, q: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


async def load(url: str, seconds: float, concurrency: int, warmup: float, customers: int) -> Result:
    result = Result()
    serial = itertools.count()
    msg_ids = itertools.count(int(time.time()) * 1_000_000)
    connector = aiohttp.TCPConnector(limit=concurrency, force_close=False)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def one(measure: bool) -> None:
            n = next(serial)
            openid = f"oBench{n % customers:06d}_{'x' * 16}"
            now = str(int(time.time()))
            nonce = str(n)
            body = text_xml(openid, QUESTIONS[n % len(QUESTIONS)], next(msg_ids), int(now))
            params = {"signature": sign(now, nonce), "timestamp": now, "nonce": nonce, "openid": openid}
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
            result.errors += not ok
            result.late += late
            result.xml_replies += is_xml

        async def sender(until: float, measure: bool) -> None:
            while time.perf_counter() < until:
                await one(measure)

        await asyncio.gather(*(sender(time.perf_counter() + warmup, False) for _ in range(concurrency)))
        started = time.perf_counter()
        await asyncio.gather(*(sender(started + seconds, True) for _ in range(concurrency)))
        result.elapsed = time.perf_counter() - started
    return result


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


@contextlib.asynccontextmanager
async def server(kind: str, directory: Path, *extra: str):
    port = free_port()
    log_path = directory / f"{kind}.log"
    process = spawn(kind, port, directory, log_path, *extra)
    url = f"http://127.0.0.1:{port}/wechat"
    try:
        await wait_ready(url, process, log_path)
        yield url
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)  # aiohttp shuts down cleanly: the bot flushes its rows
            try:
                await asyncio.to_thread(process.wait, 60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


async def wait_ready(url: str, process: subprocess.Popen, log_path: Path) -> None:
    async with aiohttp.ClientSession() as session:
        for _ in range(600):
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


def count_rows(database: Path) -> dict[str, int]:
    with contextlib.closing(sqlite3.connect(database)) as db:
        def one(sql: str) -> int:
            return db.execute(sql).fetchone()[0]

        return {
            "inbound": one("SELECT count(*) FROM message WHERE channel='wechat' AND direction='in'"),
            "outbound": one("SELECT count(*) FROM message WHERE channel='wechat' AND direction='out'"),
            "outbound_sent": one("SELECT count(*) FROM message WHERE channel='wechat' AND direction='out' "
                                 "AND delivery_status='sent'"),
        }


def report(name: str, result: Result) -> None:
    print(f"{name:9s} {result.rps:8.0f} req/s   p50 {result.percentile(0.5):7.1f} ms   "
          f"p99 {result.percentile(0.99):7.1f} ms   requests {len(result.latencies)}   errors {result.errors}"
          f"   late(success) {result.late}", flush=True)


async def main(seconds: float, concurrency: int, customers: int) -> None:
    from tests.fakes.wechat_server import FakeWeChat

    warmup = min(2.0, max(0.5, seconds / 5))
    print(f"{concurrency} concurrent senders, {seconds:g} s each after {warmup:g} s warm-up, "
          f"{customers} customers taking turns", flush=True)
    with tempfile.TemporaryDirectory(prefix="csbot-bench-") as tmp:
        directory = Path(tmp)
        async with FakeWeChat(appid=APPID, secret=SECRET) as wechat:
            async with server("bot", directory, "--api-base", wechat.url) as url:
                bot = await load(url, seconds, concurrency, warmup, customers)
            report("bot", bot)
            rows = count_rows(directory / "bot.sqlite3")
            kf = len(wechat.delivered())
            print(f"bot rows: {rows['inbound']} inbound for {bot.accepted} accepted requests; "
                  f"{rows['outbound']} outbound for {bot.passive_total} passive replies + {kf} kf sends, "
                  f"{rows['outbound_sent']} marked sent", flush=True)
            persisted = (rows["inbound"] == bot.accepted
                         and rows["outbound"] == rows["outbound_sent"] == bot.passive_total + kf)
            print("bot persisted every inbound and outbound message: " + ("yes" if persisted else "NO"), flush=True)
        async with server("ceiling", directory) as url:
            ceiling = await load(url, seconds, concurrency, warmup, customers)
        report("ceiling", ceiling)
        werobot = None
        try:
            import werobot as _werobot  # noqa: F401
        except ImportError:
            print("werobot not installed: skipped", flush=True)
        else:
            async with server("werobot", directory) as url:
                werobot = await load(url, seconds, concurrency, warmup, customers)
            report("werobot", werobot)
    print(json.dumps({
        "bot_rps": round(bot.rps, 1), "bot_p50_ms": round(bot.percentile(0.5), 2),
        "bot_p99_ms": round(bot.percentile(0.99), 2), "ceiling_rps": round(ceiling.rps, 1),
        "ceiling_p99_ms": round(ceiling.percentile(0.99), 2),
        "ratio": round(bot.rps / ceiling.rps, 3) if ceiling.rps else None,
        "werobot_rps": round(werobot.rps, 1) if werobot else None,
    }))


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--customers", type=int, default=1000, help="distinct openids, used in turn")
    parser.add_argument("--serve", choices=["bot", "ceiling", "werobot"], help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--dir", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--api-base", help=argparse.SUPPRESS)
    return parser.parse_args()


if __name__ == "__main__":
    args = parse_args()
    if args.serve == "bot":
        serve_bot(args.port, args.dir, args.api_base)
    elif args.serve == "ceiling":
        serve_ceiling(args.port)
    elif args.serve == "werobot":
        serve_werobot(args.port, args.dir)
    else:
        asyncio.run(main(args.seconds, args.concurrency, args.customers))
