"""The 15 s / 20 s promise measured from outside: real customers and agents against a real server.

Why: the server's own SLA events and `bench/sla_sim.py` run inside the process and can only see
what the server believes happened. A customer experiences something else: the time from asking
for a person to a person's first word includes the queue; a holding message is not an answer; a
customer nobody ever serves is a failure, not a missing row. This bench is a black box: it talks
to the server only over its public HTTP and WebSocket interfaces (no import of `bot/`,
`handlers/` or `models/`) and creates staff accounts with the CLI, as an operator would.

How: it starts `main.py serve` on a free port with a fresh SQLite database in a temporary folder
(or uses a running server given with `--url`; then the CLI must see that server's
`DATABASE_URL`). Agents are created with `main.py agents add --password-stdin`, log in like the
console (session cookie + CSRF token echoed on unsafe requests), listen on `/ws/agent`, refresh
their conversations on every event (120 ms debounce, 30 s poll as the safety net, like
`console.js`) and answer after human delays: mostly 3-12 s, a `--distracted` share 25-45 s. When
the server tells an agent they were set away, they notice after `--away-return` seconds and
click 在线 again (0: never). `--offline-agents N` agents end their shift mid-run. Web-chat
customers arrive spread over `--duration` seconds, keep the chat WebSocket open as the page does,
maybe greet the bot, ask for 转人工, wait for a person's greeting, then ask 2-3 questions one at
a time and say thanks; the agent says goodbye and hands the conversation back.

Measured from what the customer's socket and HTTP replies actually received, and when:
- time to a person: from sending the escalation message to the first message of a person (or the
  greeting sent on the person's behalf once assigned), queue time included;
- acknowledged: any message to the customer within 20 s of each customer message;
- answered by a person: the first message of a person after each message the customer wrote to a
  person, timed from that message; holding messages do not count;
- stranded: at the end still waiting for a person (never reached one, or a question unanswered);
- how long a person held the conversation: from the escalation to the person's last message (what
  decides how many places are free for the queue).
Every customer is in every denominator; a time still running at the end counts as its lower bound.
The run ends as soon as every customer is done; otherwise customers stop writing at `--duration` +
`--drain` seconds and the run ends 20 s later, so every message counted had its full 20 s.

Who sent a pushed message: the web-chat payload is `{"text": ...}` only, so a person's message is
recognised by its text (the bench registers every text its agents send before sending it), and a
greeting on a person's behalf is the first other pushed message after the conversation was
assigned to an agent of the bench: after their console saw it, or, for a greeting pushed the
instant the server assigned it (before any console could refresh), at or after the `assigned_at`
the console's listing shows (wall clock, same machine). If the payload ever carries an `author`, that wins (see
`push_author`). Everything the bench assumes about the server is in the "server interface"
section below.

Run: `.venv/bin/python bench/sla_live.py [--agents 4 --capacity 3 --customers 40 --duration 240
--distracted 0.1 --away-return 0 --offline-agents 0 --seed 1]`. Real time: duration plus up to
`--drain` + 20 seconds. The server it starts inherits the environment (so `SLA_REPLY_S=...` etc.
can be varied) except the database, Redis and staffed hours (all day). `--timeline FILE` writes
every customer's messages, sent and received. Figures on a shared machine are indicative. The
last line is one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import random
import re
import secrets
import socket
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
MAIN = ROOT / "main.py"
GREETING_DUE_S = 15.0
REPLY_DUE_S = 20.0

# ======================================================================================================
# Server interface: every path, field and event the bench depends on. Adapt here when the API moves.
# ======================================================================================================
LOGIN = "/api/agent/login"  # {"name", "password"} -> {"csrf_token"} + session cookie
CSRF_HEADER = "X-CSRF-Token"  # echoed on every unsafe request of a cookie session
PRESENCE = "/api/agent/presence"  # {"presence": "online" | "away" | "offline"}
HELD = "/api/agent/conversations"  # {"conversations": [{"conversation_id", "customer": {"label"}, "assigned_at"}]}
CONVERSATION = "/api/agent/conversations/{id}"  # {"messages": [{"direction", "author", "text"}]}
SEND = "/api/agent/conversations/{id}/messages"  # {"text"}
HAND_BACK = "/api/agent/conversations/{id}/hand-back"
SUPERVISOR = "/api/agent/supervisor"  # {"today": {...}}: the server's own figures, shown for comparison
AGENT_SOCKET = "/ws/agent"  # events {"type": ...}
VISITOR = "/api/webchat/visitor"  # {} -> {"visitor_id", "token"}: the page's signed identity
VISITOR_HEADER = "X-Visitor-Token"  # proves the visitor on every web-chat request
CHAT_POST = "/api/webchat/messages"  # {"text", "client_msg_id"} + token header -> {"replies": [str]}
CHAT_SOCKET = "/ws/webchat"  # ?token=...; pushes {"text"}
NUMBER = re.compile(r"/\d+")  # conversation ids, folded in error samples
REFUSALS = frozenset({403, 409})  # an agent racing the server (conversation moved on): expected, not errors


def add_agent_argv(name: str, role: str, capacity: int) -> list[str]:
    """The CLI that creates a staff account; the password goes to its standard input."""
    return [sys.executable, str(MAIN), "agents", "add", name, "--role", role, "--capacity", str(capacity),
            "--password-stdin"]


def push_text(payload: Any) -> str | None:
    return payload.get("text") if isinstance(payload, dict) and isinstance(payload.get("text"), str) else None


def push_author(payload: dict[str, Any]) -> str | None:
    """Who sent a pushed message, if the payload says (it does not today: `{"text"}` only)."""
    author = payload.get("author")
    return author if isinstance(author, str) else None


def is_person(author: str) -> bool:
    return author.startswith("agent:")


SYSTEM_AUTHOR = "system"  # the server's own messages in a held conversation (greeting on behalf, holding...)


def presence_announced(event: dict[str, Any]) -> str | None:
    """The agent's new presence when the server announces a change on the agent's socket."""
    if event.get("type") == "presence.changed" and isinstance(event.get("presence"), str):
        return event["presence"]
    return None


def customer_tail(conversation: dict[str, Any]) -> str:
    """The end of the visitor id, as the console labels a web-chat customer ("webchat …a1b2c3")."""
    return str(conversation["customer"]["label"]).rsplit("…", 1)[-1]


def owed_texts(messages: list[dict[str, Any]]) -> list[str]:
    """The customer's messages that nobody has answered yet: those after the last reply of the bot or
    of a person (system messages such as holding messages answer nothing)."""
    owed: list[str] = []
    for message in messages:
        author = str(message.get("author", ""))
        if message.get("direction") == "in":
            owed.append(str(message.get("text", "")))
        elif author == "bot" or is_person(author):
            owed = []
    return owed


# ======================================================================================================
# What customers and agents say (written for this bench; customers write informally)
# ======================================================================================================
OPENERS = ("在吗", "你好", "亲 在不在", "哈喽 有人在吗", "你好，想咨询下", "在吗在吗")
ESCALATIONS = ("转人工", "人工客服在吗", "我要找真人聊", "能不能帮我转个人工", "麻烦接一下人工",
               "有没有真人客服啊", "人工！", "别用机器人了，叫人来")
#: (ways a customer asks, the agent's answer); a customer asks about distinct topics.
TOPICS = (
    (("我身高165体重110斤穿什么码合适", "平时穿M的 这款要不要拍大一码", "160 95斤 选S还是M啊"),
     "亲，按您的身高体重建议选M码，这款版型偏宽松，平时穿M的直接拍M就好~"),
    (("藕粉色那个还有货吗", "黑色L码什么时候补货呀", "页面显示缺货 是真没了吗"),
     "亲，这个颜色仓库还有少量库存，刷新一下页面就能拍，断码的下周三补货~"),
    (("今天拍的话什么时候能发出来", "我昨天下的单怎么还没发货啊", "下午四点前付款当天能发吗"),
     "亲，下午4点前付款的订单当天发出，之后的第二天上午发，一般2-3天就能送到~"),
    (("发什么快递啊 能发顺丰吗", "我们这边中通到不了 可以换韵达吗"),
     "亲，默认发中通和韵达，需要顺丰的话补12元运费差价就可以帮您安排~"),
    (("地址填错了能改吗 还没发货", "刚拍完发现小区名写错了 帮我改下"),
     "亲，订单还没出库是可以改的，麻烦把新的收货地址和电话发我，我帮您备注修改~"),
    (("可以开发票吗 要公司抬头的", "电子发票怎么开 需要填什么"),
     "亲，可以开电子普通发票，确认收货后把抬头和税号发给我们，3个工作日内发到您邮箱~"),
    (("满减券怎么用不了啊", "领的券下单时没自动减 咋回事", "新人券还能用吗"),
     "亲，满减券需要单笔实付满199元才能用，凑单后在提交订单页勾选一下券就好啦~"),
    (("这个面料起球吗", "能机洗吗 会不会缩水", "是纯棉的吗 宝宝皮肤比较敏感"),
     "亲，这款是95%棉加5%氨纶，建议30度以下冷水手洗或者装洗衣袋机洗，避免暴晒哦~"),
    (("实物和图片色差大不大", "米白色会不会很透啊"),
     "亲，图片都是自然光实拍，不同屏幕会有一点点色差，米白色有内衬不会透的~"),
    (("送人的可以帮忙包装一下吗", "能不能不放价格单 是送礼的"),
     "亲，可以的，我给您订单备注礼盒包装、不放价签和发货单，免费的哦~"),
    (("不合适能退吗 运费谁出", "七天无理由包括这个吗", "吊牌剪了还能换吗"),
     "亲，支持7天无理由退换，吊牌和包装完好就行，您下单带了运费险，退回运费会赔给您~"),
    (("我前天买的今天降价了 能补差价吗", "过几天双十二会不会更便宜"),
     "亲，我们支持7天价保，降价后在订单页点申请价保，差价会自动退回给您~"),
    (("我拍了两单能一起发吗", "分开拍的能合成一个包裹吗"),
     "亲，两单收货地址一样的话仓库会合并打包发出，我这边给您备注一下~"),
    (("这个保温杯能装热牛奶吗", "杯子保温能保多久"),
     "亲，可以装的，保温6小时左右，牛奶建议当天喝完，用完及时清洗就好~"),
)
CLOSINGS = ("好的谢谢", "明白了 谢谢亲", "ok 那我去拍了", "好嘞 辛苦了", "行 知道了 谢啦")
GOODBYES = ("不客气亲，有问题随时找我哦~祝您购物愉快", "好的亲，感谢您的耐心，有需要再联系我们~",
            "亲，不客气的，期待您收到满意的宝贝~")
GREETINGS = ("您好，我是{nick}，很高兴为您服务，请问有什么可以帮您的呢？", "亲，您好呀，我是客服{nick}，您请说~",
             "在的亲，我是{nick}，请问想了解什么呢？")
TAKING_OVER = "亲，让您久等了，我是{nick}，接着为您处理："
FALLBACK_ANSWER = "好的亲，这个我帮您记下了，稍后给您答复~"
NICKS = ("小雨", "阿杰", "小鹿", "晓晴", "安安", "小舟", "木木", "可可", "小言", "阿宁", "小北", "七七")
ANSWERS = {question: answer for questions, answer in TOPICS for question in questions}


# ======================================================================================================
# Run context: configuration, clock, HTTP bookkeeping
# ======================================================================================================
@dataclass
class Config:
    seed: int
    agents: int
    capacity: int
    customers: int
    duration: float
    distracted: float
    away_return: float
    offline_agents: int
    drain: float
    url: str | None
    timeline: Path | None


class Run:
    """What every actor shares: the config, one random source, the clock, the HTTP figures."""

    def __init__(self, config: Config, base_url: str) -> None:
        self.config = config
        self.base_url = base_url.rstrip("/")
        self.rng = random.Random(config.seed)  # the plan: arrivals, scripts, who leaves when
        self.started = time.monotonic()
        self.stop = asyncio.Event()
        self.last_orders = asyncio.Event()  # customers write nothing new; what they wrote gets its 20 s
        self.all_done = asyncio.Event()  # every customer has finished their conversation
        self.finished = 0
        self.statuses: Counter[str] = Counter()
        self.http_errors = 0
        self.http_refused = 0
        self.error_samples: list[str] = []
        self.customers: dict[str, Customer] = {}  # by the tail the console shows
        self.away_events = 0
        self.all_away_at: float | None = None
        self.taken_away = 0
        self.console_missed = 0
        self.agents: list[Agent] = []
        self.chat_session: aiohttp.ClientSession | None = None  # the customers' browsers

    def now(self) -> float:
        return time.monotonic() - self.started

    async def sleep_until(self, moment: float) -> None:
        await asyncio.sleep(max(0.0, moment - self.now()))

    def actor_rng(self, actor: str) -> random.Random:
        """Each actor draws from its own sequence, so the seed fixes what each one does whatever the
        order in which real time interleaves them."""
        return random.Random(f"{self.config.seed}:{actor}")

    def _failed(self, what: str) -> None:
        self.http_errors += 1
        if len(self.error_samples) < 8:
            self.error_samples.append(f"{self.now():.1f}s {what}")

    async def call(self, session: aiohttp.ClientSession, method: str, path: str, *, body: Any = None,
                   headers: dict[str, str] | None = None, refusable: bool = False) -> tuple[int, Any]:
        """One request; counts it. 5xx, transport failures and unexpected 4xx are HTTP errors; 403/409
        on an agent's action are refusals (the conversation moved on meanwhile)."""
        label = f"{method} {NUMBER.sub('/{id}', path)}"
        try:
            async with session.request(method, self.base_url + path, json=body, headers=headers) as response:
                status = response.status
                try:
                    data = await response.json(content_type=None)
                except ValueError:
                    data = None
        except (aiohttp.ClientError, TimeoutError) as exc:
            self.statuses["transport"] += 1
            self._failed(f"{label}: {type(exc).__name__}")
            return 0, None
        self.statuses[str(status)] += 1
        if status < 400:
            return status, data
        if refusable and status in REFUSALS:
            self.http_refused += 1
        else:
            self._failed(f"{label}: {status} {json.dumps(data, ensure_ascii=False)[:120]}")
        return status, data

    def customer_finished(self) -> None:
        self.finished += 1
        if self.finished == self.config.customers:
            self.all_done.set()

    def note_presence(self) -> None:
        working = [agent for agent in self.agents if not agent.gone]
        if working and self.all_away_at is None and all(agent.presence == "away" for agent in working):
            self.all_away_at = self.now()


# ======================================================================================================
# Customers
# ======================================================================================================
class LastOrders(Exception):
    """The run is closing: customers write nothing more."""


@dataclass
class Sent:
    kind: str  # opener, escalation, question, closing
    text: str
    at: float
    to_person: bool


@dataclass
class Received:
    at: float
    source: str  # bot (HTTP reply), person, on_behalf (greeting once assigned), system (any other push)
    text: str
    wall: float = field(default_factory=time.time)  # to compare with the server's timestamps


def epoch(stamp: Any) -> float | None:
    """A server timestamp (ISO 8601) as seconds since the epoch."""
    if not isinstance(stamp, str):
        return None
    with contextlib.suppress(ValueError):
        return datetime.fromisoformat(stamp).timestamp()
    return None


@dataclass
class Customer:
    run: Run
    user_id: str  # the server's visitor id, issued on the first visit
    arrival: float
    opener: str | None
    escalation: str
    questions: list[str]
    closing: str
    sent: list[Sent] = field(default_factory=list)
    inbox: list[Received] = field(default_factory=list)
    escalated_at: float | None = None
    greeted_at: float | None = None
    holders: set[str] = field(default_factory=set)  # agents of the bench who see it assigned to them
    expected: list[str] = field(default_factory=list)  # texts a bench agent is sending to this customer
    ws_drops: int = 0
    changed: asyncio.Event = field(default_factory=asyncio.Event)
    rng: random.Random = field(default_factory=random.Random)  # reading and typing pauses
    token: str = ""

    # --- the page ---
    async def visit(self) -> None:
        await self.run.sleep_until(self.arrival)
        if not await self.open_page():
            return  # counted by `call` as an HTTP error; the customer is counted as never served
        connected = asyncio.Event()
        listening = asyncio.create_task(self.listen(connected))
        try:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(connected.wait(), 10)
            with contextlib.suppress(LastOrders):  # the run is ending: nothing new is written
                await self.converse()
                self.run.customer_finished()
            await self.run.stop.wait()  # the page stays open until the end
        finally:
            listening.cancel()
            await asyncio.gather(listening, return_exceptions=True)

    async def open_page(self) -> bool:
        """The page's first visit: the server issues the visitor's id and signed token. The console
        labels a web-chat customer with the id's last 6 characters, which is how agents find them."""
        status, data = await self.run.call(self.session, "POST", VISITOR, body={})
        if status != 200 or not isinstance(data, dict):
            return False
        self.user_id, self.token = str(data["visitor_id"]), str(data["token"])
        self.run.customers[self.user_id[-6:]] = self
        return True

    async def converse(self) -> None:
        rng = self.rng
        if self.opener:
            await self.write("opener", self.opener)
            await asyncio.sleep(rng.uniform(2, 6))
        await self.write("escalation", self.escalation)
        await self.until(lambda: self.greeted_at is not None)
        for question in self.questions:
            await asyncio.sleep(rng.uniform(2, 8))
            await self.wait_for_person(await self.write("question", question, to_person=True))
        await asyncio.sleep(rng.uniform(2, 6))
        await self.wait_for_person(await self.write("closing", self.closing, to_person=True))

    async def write(self, kind: str, text: str, to_person: bool = False) -> Sent:
        if self.run.last_orders.is_set():
            raise LastOrders
        message = Sent(kind, text, self.run.now(), to_person)
        self.sent.append(message)
        if kind == "escalation":
            self.escalated_at = message.at
        body = {"text": text, "client_msg_id": secrets.token_hex(8)}
        status, data = await self.run.call(self.session, "POST", CHAT_POST, body=body,
                                           headers={VISITOR_HEADER: self.token})
        replies = data.get("replies", []) if status == 200 and isinstance(data, dict) else []
        for reply in replies:
            if isinstance(reply, str) and reply:
                self.receive(reply, "bot")
        return message

    async def listen(self, connected: asyncio.Event) -> None:
        """The page's socket, reconnected after a drop (what was pushed meanwhile is lost to it)."""
        url = f"{self.run.base_url}{CHAT_SOCKET}?token={self.token}"
        while not self.run.stop.is_set():
            try:
                async with self.session.ws_connect(url, heartbeat=30) as ws:
                    connected.set()
                    async for frame in ws:
                        if frame.type != aiohttp.WSMsgType.TEXT:
                            break
                        self.pushed(json.loads(frame.data))
            except (aiohttp.ClientError, TimeoutError, ValueError):
                pass
            self.ws_drops += 1
            await asyncio.sleep(1)

    def pushed(self, payload: Any) -> None:
        text = push_text(payload)
        if not text:
            return
        author = push_author(payload)
        expected = next((sent for sent in self.expected if sent in text), None)
        if (author is not None and is_person(author)) or (author is None and expected is not None):
            if expected is not None:
                self.expected.remove(expected)
            self.receive(text, "person")
        elif self.holders and self.greeted_at is None and self.escalated_at is not None:
            self.receive(text, "on_behalf")
        else:
            self.receive(text, "system")

    def receive(self, text: str, source: str) -> None:
        item = Received(self.run.now(), source, text)
        self.inbox.append(item)
        if source in ("person", "on_behalf") and self.greeted_at is None and self.escalated_at is not None:
            self.greeted_at = item.at
        self.changed.set()

    def assigned_at(self, moment: float | None) -> None:
        """An agent of the bench sees the conversation assigned to them since `moment` (the server's
        clock): a push that reached the customer since then, before the console could refresh, was
        the greeting on the holder's behalf, not an anonymous system message."""
        if moment is None or self.greeted_at is not None or self.escalated_at is None:
            return
        greeting = next((r for r in self.inbox if r.source == "system" and r.wall >= moment), None)
        if greeting is not None:
            greeting.source = "on_behalf"
            self.greeted_at = greeting.at
            self.changed.set()

    async def until(self, condition: Callable[[], bool]) -> None:
        while not condition():
            self.changed.clear()
            await self.changed.wait()

    async def wait_for_person(self, message: Sent) -> None:
        await self.until(lambda: self.person_answer(message) is not None)

    # --- what the customer experienced ---
    def first_after(self, message: Sent, sources: tuple[str, ...] | None = None) -> float | None:
        return next((r.at for r in self.inbox if r.at >= message.at and (sources is None or r.source in sources)),
                    None)

    def person_answer(self, message: Sent) -> float | None:
        return self.first_after(message, ("person",))

    @property
    def session(self) -> aiohttp.ClientSession:
        assert self.run.chat_session is not None
        return self.run.chat_session


# ======================================================================================================
# Agents
# ======================================================================================================
@dataclass
class Held:
    conversation_id: int
    customer: Customer | None
    seen: int | None = None  # messages in the history when the agent first opened it
    task: asyncio.Task[None] | None = None


class Agent:
    def __init__(self, run: Run, name: str, password: str, nick: str, leaves_at: float | None) -> None:
        self.run = run
        self.name, self.password, self.nick = name, password, nick
        self.rng = run.actor_rng(name.rsplit("-", 1)[-1])
        self.leaves_at = leaves_at
        self.session = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True),
                                             timeout=aiohttp.ClientTimeout(total=30))
        self.id: int | None = None
        self.csrf = ""
        self.presence = "offline"
        self.gone = False
        self.held: dict[int, Held] = {}
        self.handed_back: set[int] = set()
        self.dirty = asyncio.Event()
        self.heard: dict[int, list[str]] = {}  # customer texts announced on the socket, per conversation
        self.tasks: set[asyncio.Task[None]] = set()

    @property
    def me(self) -> str:
        return f"agent:{self.id}"

    async def request(self, method: str, path: str, body: Any = None, refusable: bool = False) -> tuple[int, Any]:
        headers = {CSRF_HEADER: self.csrf} if method != "GET" else None
        return await self.run.call(self.session, method, path, body=body, headers=headers, refusable=refusable)

    async def start(self) -> None:
        """Log in, open the console's socket, click 在线: done before the shift's clock starts."""
        status, data = await self.request("POST", LOGIN, {"name": self.name, "password": self.password})
        if status != 200:
            print(f"agent {self.name} could not log in ({status}); working without them", file=sys.stderr)
            self.gone = True
            return
        self.csrf, self.id = data["csrf_token"], data["agent"]["id"]
        self.spawn(self.listen())
        await asyncio.sleep(0.2)  # the console connects its socket before the agent clicks 在线
        await self.set_presence("online")

    async def work(self) -> None:
        if self.leaves_at is not None:
            self.spawn(self.leave())
        try:
            while not self.run.stop.is_set() and not self.gone:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.dirty.wait(), 30)  # console.js: POLL_ONLINE_MS
                await asyncio.sleep(0.12)  # console.js: REFRESH_DEBOUNCE_MS
                self.dirty.clear()
                if not self.gone:
                    await self.refresh()
        finally:
            tasks = list(self.tasks)
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    def spawn(self, coroutine: Any) -> asyncio.Task[None]:
        task = asyncio.create_task(coroutine)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)
        return task

    async def set_presence(self, presence: str) -> None:
        status, _ = await self.request("POST", PRESENCE, {"presence": presence})
        if status == 200:
            self.presence = presence
            self.run.note_presence()

    async def listen(self) -> None:
        while not self.run.stop.is_set() and not self.gone:
            try:
                async with self.session.ws_connect(self.run.base_url + AGENT_SOCKET, heartbeat=30) as ws:
                    self.dirty.set()  # whatever happened while disconnected
                    async for frame in ws:
                        if frame.type != aiohttp.WSMsgType.TEXT:
                            break
                        self.on_event(json.loads(frame.data))
            except (aiohttp.ClientError, TimeoutError, ValueError):
                pass
            await asyncio.sleep(1)

    def on_event(self, event: Any) -> None:
        if not isinstance(event, dict):
            return
        presence = presence_announced(event)
        if presence is not None and presence != self.presence:
            self.presence = presence
            if presence == "away":
                self.run.away_events += 1
                self.run.note_presence()
                if self.run.config.away_return > 0:
                    self.spawn(self.come_back())
        message, conversation_id = event.get("message"), event.get("conversation_id")
        if event.get("type") == "message" and isinstance(message, dict) and isinstance(conversation_id, int):
            self.heard.setdefault(conversation_id, []).append(str(message.get("text", "")))
        self.dirty.set()

    async def come_back(self) -> None:
        await asyncio.sleep(self.run.config.away_return)
        if self.presence == "away" and not self.gone:
            await self.set_presence("online")

    async def leave(self) -> None:
        assert self.leaves_at is not None
        await self.run.sleep_until(self.leaves_at)
        await self.set_presence("offline")
        self.gone = True
        self.dirty.set()
        for held in list(self.held.values()):
            self.drop(held, taken=False)

    # --- the desk ---
    async def refresh(self) -> None:
        status, data = await self.request("GET", HELD)
        if status != 200:
            return
        listed = {c["conversation_id"]: c for c in data.get("conversations", [])}
        for conversation_id in set(self.held) - set(listed):
            self.drop(self.held[conversation_id], taken=conversation_id not in self.handed_back)
        for conversation_id, conversation in listed.items():
            held = self.held.get(conversation_id)
            if held is None:
                customer = self.run.customers.get(customer_tail(conversation))
                held = self.held[conversation_id] = Held(conversation_id, customer)
                if customer is not None:
                    customer.holders.add(self.name)
                    customer.assigned_at(epoch(conversation.get("assigned_at")))
            if held.task is None:
                messages = await self.history(held)
                if messages is not None and self.owes(held, messages):
                    held.task = self.spawn(self.answer_later(held))

    def drop(self, held: Held, taken: bool) -> None:
        self.held.pop(held.conversation_id, None)
        if held.task is not None:
            held.task.cancel()
        if held.customer is not None:
            held.customer.holders.discard(self.name)
        self.run.taken_away += taken

    async def history(self, held: Held) -> list[dict[str, Any]] | None:
        """The conversation as the console shows it. A message whose event came before this request was
        sent must be in it; one whose event came while the request was on its way is checked by the
        next request (the server may have read the conversation before the message was written)."""
        asked = len(self.heard.get(held.conversation_id, ()))
        status, data = await self.request("GET", CONVERSATION.format(id=held.conversation_id), refusable=True)
        if status != 200:
            return None
        messages = data.get("messages", [])
        shown = {str(m.get("text")) for m in messages}
        heard = self.heard.pop(held.conversation_id, [])
        self.run.console_missed += sum(text not in shown for text in heard[:asked])
        if heard[asked:]:
            self.heard[held.conversation_id] = heard[asked:]
        return messages

    def owes(self, held: Held, messages: list[dict[str, Any]]) -> bool:
        """An answer, or a greeting unless the agent spoke already or the server greeted on their behalf
        (a system message since they opened the conversation)."""
        if held.seen is None:
            held.seen = len(messages)
        if owed_texts(messages):
            return True
        spoke = any(m.get("author") == self.me for m in messages)
        return not spoke and not any(m.get("author") == SYSTEM_AUTHOR for m in messages[held.seen:])

    async def answer_later(self, held: Held) -> None:
        try:
            await asyncio.sleep(self.human_delay())
            messages = await self.history(held)
            if messages is None or not self.owes(held, messages):
                return
            owed = owed_texts(messages)
            text = self.compose(messages, owed)
            customer = held.customer
            if customer is not None:
                customer.expected.append(text)
            status, _ = await self.request("POST", SEND.format(id=held.conversation_id), {"text": text},
                                           refusable=True)
            if status != 200:
                if customer is not None and text in customer.expected:
                    customer.expected.remove(text)
                return
            if owed and owed[-1] in CLOSINGS:  # the customer is done: goodbye, and back to the bot
                await asyncio.sleep(self.rng.uniform(2, 5))
                self.handed_back.add(held.conversation_id)
                await self.request("POST", HAND_BACK.format(id=held.conversation_id), {}, refusable=True)
        finally:
            held.task = None
            self.dirty.set()

    def human_delay(self) -> float:
        if self.rng.random() < self.run.config.distracted:
            return self.rng.uniform(25, 45)
        return self.rng.uniform(3, 12)

    def compose(self, messages: list[dict[str, Any]], owed: list[str]) -> str:
        rng = self.rng
        if not owed:
            return rng.choice(GREETINGS).format(nick=self.nick)
        last = owed[-1]
        answer = rng.choice(GOODBYES) if last in CLOSINGS else ANSWERS.get(last, FALLBACK_ANSWER)
        someone_else = any(is_person(str(m.get("author", ""))) for m in messages)
        spoke = any(m.get("author") == self.me for m in messages)
        return TAKING_OVER.format(nick=self.nick) + answer if someone_else and not spoke else answer


# ======================================================================================================
# The server and the staff accounts
# ======================================================================================================
def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def server_env(folder: Path, port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL")}
    env.update(
        BOT_HOST="127.0.0.1",
        BOT_PORT=str(port),
        PUBLIC_BASE_URL=f"http://127.0.0.1:{port}",
        DATABASE_URL=f"sqlite://{folder / 'bench.sqlite3'}",
        AFTER_SALES_UPLOAD_DIR=str(folder / "uploads"),
        STAFFED_HOURS="00:00-24:00",  # the figures must not depend on the time of day the bench runs
    )
    return env


async def add_staff(name: str, role: str, capacity: int, password: str, env: dict[str, str], cwd: Path) -> None:
    process = await asyncio.create_subprocess_exec(
        *add_agent_argv(name, role, capacity), stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT, env=env, cwd=cwd)
    output, _ = await process.communicate(f"{password}\n".encode())
    if process.returncode != 0:
        raise SystemExit(f"`main.py agents add {name}` failed:\n{output.decode(errors='replace')}")


async def start_server(env: dict[str, str], folder: Path, url: str) -> asyncio.subprocess.Process:
    log = (folder / "server.log").open("wb")
    process = await asyncio.create_subprocess_exec(sys.executable, str(MAIN), "serve", stdout=log,
                                                   stderr=asyncio.subprocess.STDOUT, env=env, cwd=folder)
    async with aiohttp.ClientSession() as session:
        for _ in range(240):
            if process.returncode is not None:
                raise SystemExit(f"the server exited:\n{(folder / 'server.log').read_text(errors='replace')}")
            with contextlib.suppress(aiohttp.ClientError):
                async with session.get(url + "/") as response:
                    if response.status == 200:
                        return process
            await asyncio.sleep(0.25)
    process.terminate()
    raise SystemExit("the server did not answer within 60 s")


async def stop_server(process: asyncio.subprocess.Process) -> None:
    if process.returncode is None:
        process.terminate()
        try:
            await asyncio.wait_for(process.wait(), 15)
        except TimeoutError:
            process.kill()
            await process.wait()


def server_errors(folder: Path) -> list[str]:
    path = folder / "server.log"
    lines = path.read_text(errors="replace").splitlines() if path.exists() else []
    return [line for line in lines if " ERROR " in line or line.startswith("Traceback")]


# ======================================================================================================
# The run
# ======================================================================================================
def make_customers(run: Run, tag: str) -> list[Customer]:
    rng, config = run.rng, run.config
    arrivals = sorted(rng.uniform(0, config.duration) for _ in range(config.customers))
    customers = []
    for index, arrival in enumerate(arrivals):
        user_id = f"live-{tag}-{index:04d}"  # until the server issues the visitor's id (`open_page`)
        topics = rng.sample(TOPICS, rng.choice((2, 3)))
        customers.append(Customer(
            run, user_id, arrival,
            opener=rng.choice(OPENERS) if rng.random() < 0.4 else None,
            escalation=rng.choice(ESCALATIONS),
            questions=[rng.choice(questions) for questions, _ in topics],
            closing=rng.choice(CLOSINGS),
            rng=run.actor_rng(f"c{index}"),
        ))
    return customers


async def load(run: Run, tag: str, staff: list[tuple[str, str]], supervisor: tuple[str, str]) -> dict[str, Any]:
    config = run.config
    leaving = set(run.rng.sample(range(config.agents), min(config.offline_agents, config.agents)))
    nicks = run.rng.sample(NICKS, min(len(NICKS), config.agents))
    run.agents = [
        Agent(run, name, password, nicks[i % len(nicks)],
              run.rng.uniform(0.3, 0.7) * config.duration if i in leaving else None)
        for i, (name, password) in enumerate(staff)
    ]
    customers = make_customers(run, tag)
    await asyncio.gather(*(agent.start() for agent in run.agents))
    run.started = time.monotonic()
    deadline = config.duration + config.drain
    browsers = aiohttp.TCPConnector(limit=0)  # every customer's socket stays open
    async with aiohttp.ClientSession(connector=browsers, timeout=aiohttp.ClientTimeout(total=30)) as chat_session:
        run.chat_session = chat_session
        actors = [asyncio.create_task(agent.work()) for agent in run.agents]
        actors += [asyncio.create_task(customer.visit()) for customer in customers]
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(run.all_done.wait(), deadline)
        if not run.all_done.is_set():
            run.last_orders.set()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(run.all_done.wait(), REPLY_DUE_S)
        ended = run.now()
        run.stop.set()
        for actor in actors:
            actor.cancel()
        await asyncio.gather(*actors, return_exceptions=True)
    figures = report(run, customers, ended, await server_figures(run, supervisor))
    for agent in run.agents:
        if not agent.gone:
            await agent.set_presence("offline")
        await agent.session.close()
    if config.timeline is not None:
        write_timeline(config.timeline, customers)
    return figures


def write_timeline(path: Path, customers: list[Customer]) -> None:
    """One JSON line per customer: what they wrote and what reached them, in seconds from the start."""
    with path.open("w", encoding="utf-8") as out:
        for c in customers:
            events = [{"at": round(m.at, 2), "wrote": m.kind, "text": m.text} for m in c.sent]
            events += [{"at": round(r.at, 2), "got": r.source, "text": r.text} for r in c.inbox]
            events.sort(key=lambda event: event["at"])
            out.write(json.dumps({"user_id": c.user_id, "events": events}, ensure_ascii=False) + "\n")


async def server_figures(run: Run, supervisor: tuple[str, str]) -> dict[str, Any] | None:
    """The server's own figures for today (read by a supervisor who logs in only after the load, so
    that they are never assigned a conversation)."""
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as session:
        status, _ = await run.call(session, "POST", LOGIN, body={"name": supervisor[0], "password": supervisor[1]})
        if status != 200:
            return None
        status, summary = await run.call(session, "GET", SUPERVISOR)
        return summary.get("today") if status == 200 and isinstance(summary, dict) else None


def percentile(values: list[float], share: float) -> float | None:
    """Nearest rank."""
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[max(0, math.ceil(share * len(ordered)) - 1)], 1)


def ratio(part: int, whole: int) -> float:
    return round(part / whole, 3) if whole else 1.0


def report(run: Run, customers: list[Customer], ended: float, server_today: dict[str, Any] | None) -> dict[str, Any]:
    to_person_times: list[float] = []
    censored = greeted_in_time = on_behalf = never_reached = open_at_end = 0
    written = acknowledged = lost = 0
    person_messages = person_in_time = 0
    answer_times: list[float] = []
    stranded = 0
    holds: list[float] = []  # escalation to the last person's message: how long a place was taken
    for customer in customers:
        last_person = max((r.at for r in customer.inbox if r.source == "person"), default=None)
        if last_person is not None and customer.escalated_at is not None:
            holds.append(last_person - customer.escalated_at)
        if customer.greeted_at is not None and customer.escalated_at is not None:
            waited = customer.greeted_at - customer.escalated_at
            greeted_in_time += waited <= GREETING_DUE_S
            on_behalf += any(r.source == "on_behalf" for r in customer.inbox)
        else:
            waited = ended - (customer.escalated_at if customer.escalated_at is not None else customer.arrival)
            censored += 1
            never_reached += 1
        to_person_times.append(max(0.0, waited))
        unanswered = False
        for message in customer.sent:
            written += 1
            ack = customer.first_after(message)
            lost += ack is None
            acknowledged += ack is not None and ack - message.at <= REPLY_DUE_S
            if message.to_person:
                person_messages += 1
                answered = customer.person_answer(message)
                unanswered |= answered is None
                answer_times.append((answered if answered is not None else ended) - message.at)
                person_in_time += answered is not None and answered - message.at <= REPLY_DUE_S
        open_at_end += unanswered and customer.greeted_at is not None
        stranded += customer.greeted_at is None or unanswered
    return {
        "customers": len(customers),
        "handovers": sum(customer.escalated_at is not None for customer in customers),
        "stranded": stranded,
        "never_reached_person": never_reached,
        "open_question_at_end": open_at_end,
        "time_to_person_p50_s": percentile(to_person_times, 0.50),
        "time_to_person_p95_s": percentile(to_person_times, 0.95),
        "time_to_person_p99_s": percentile(to_person_times, 0.99),
        "time_to_person_censored": censored,
        "person_within_15s": ratio(greeted_in_time, len(customers)),
        "greeted_on_behalf": on_behalf,
        "customer_messages": written,
        "acknowledged_within_20s": ratio(acknowledged, written),
        "lost": lost,
        "messages_to_person": person_messages,
        "person_answered_within_20s": ratio(person_in_time, person_messages),
        "person_answer_p50_s": percentile(answer_times, 0.50),
        "person_answer_p95_s": percentile(answer_times, 0.95),
        "person_answer_max_s": percentile(answer_times, 1.0),
        "person_hold_p50_s": percentile(holds, 0.50),
        "person_hold_mean_s": round(sum(holds) / len(holds), 1) if holds else None,
        "http_errors": run.http_errors,
        "http_refused": run.http_refused,
        "http_statuses": dict(run.statuses),
        "http_error_samples": run.error_samples,
        "ws_drops": sum(c.ws_drops for c in customers),
        "away_events": run.away_events,
        "all_agents_away_at_s": None if run.all_away_at is None else round(run.all_away_at, 1),
        "agents_away_at_end": sum(agent.presence == "away" for agent in run.agents),
        "conversations_taken_from_agents": run.taken_away,
        "console_missed_messages": run.console_missed,
        "ran_s": round(ended, 1),
        "server_today": server_today,
        "config": {key: value for key, value in vars(run.config).items() if key not in ("url", "timeline")},
    }


def summary(figures: dict[str, Any], server_log_errors: list[str]) -> str:
    f = figures
    c = f["config"]
    away = "never" if not c["away_return"] else f"after {c['away_return']:g} s"
    lines = [
        f"sla_live: {f['customers']} customers over {c['duration']:g} s, {c['agents']} agents (capacity "
        f"{c['capacity']}), {c['distracted']:.0%} distracted replies, agents notice 'away' {away}, "
        f"{c['offline_agents']} going offline; ran {f['ran_s']} s",
        f"  time to a person (queue included): p50 {f['time_to_person_p50_s']} s, p95 {f['time_to_person_p95_s']} s,"
        f" p99 {f['time_to_person_p99_s']} s ({f['time_to_person_censored']} still waiting: lower bounds)",
        f"  greeted by a person or on their behalf within 15 s: {f['person_within_15s']:.1%}"
        f" ({f['greeted_on_behalf']} on their behalf)",
        f"  acknowledged within 20 s: {f['acknowledged_within_20s']:.1%} of {f['customer_messages']} messages;"
        f" never acknowledged: {f['lost']}",
        f"  answered by a person within 20 s: {f['person_answered_within_20s']:.1%} of {f['messages_to_person']};"
        f" p50 {f['person_answer_p50_s']} s, p95 {f['person_answer_p95_s']} s, max {f['person_answer_max_s']} s",
        f"  a person held the conversation (escalation to their last message): mean {f['person_hold_mean_s']} s,"
        f" p50 {f['person_hold_p50_s']} s",
        f"  stranded: {f['stranded']} (never reached a person {f['never_reached_person']}, open question at the end"
        f" {f['open_question_at_end']})",
        f"  agents set away: {f['away_events']} times; all away at {f['all_agents_away_at_s']} s; away at the end"
        f" {f['agents_away_at_end']}; conversations taken from agents {f['conversations_taken_from_agents']};"
        f" customer messages the console did not show after its event {f['console_missed_messages']}",
        f"  HTTP errors {f['http_errors']}, refusals {f['http_refused']}, statuses {f['http_statuses']}",
    ]
    lines += [f"    {sample}" for sample in f["http_error_samples"]]
    if f["server_today"] is not None:
        lines.append(f"  the server's own figures today: {json.dumps(f['server_today'], ensure_ascii=False)}")
    if server_log_errors:
        lines.append(f"  server log: {len(server_log_errors)} error lines, first: {server_log_errors[0][:200]}")
    return "\n".join(lines)


async def main_async(config: Config) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="sla_live-") as tmp:
        folder = Path(tmp)
        if config.url:
            url, env, cwd = config.url, dict(os.environ), ROOT
        else:
            port = free_port()
            url, env, cwd = f"http://127.0.0.1:{port}", server_env(folder, port), folder
        tag = secrets.token_hex(3)
        staff = [(f"live-{tag}-a{i + 1}", secrets.token_urlsafe(12)) for i in range(config.agents)]
        supervisor = (f"live-{tag}-sup", secrets.token_urlsafe(12))
        for name, password in staff:  # one at a time: SQLite and the first schema creation
            await add_staff(name, "agent", config.capacity, password, env, cwd)
        await add_staff(supervisor[0], "supervisor", config.capacity, supervisor[1], env, cwd)
        server = None if config.url else await start_server(env, folder, url)
        try:
            figures = await load(Run(config, url), tag, staff, supervisor)
        finally:
            if server is not None:
                await stop_server(server)
        log_errors = [] if config.url else server_errors(folder)
        figures["server_log_errors"] = len(log_errors)
        print(summary(figures, log_errors))
        return figures


def parse_args(argv: list[str] | None = None) -> Config:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--agents", type=int, default=4)
    parser.add_argument("--capacity", type=int, default=3, help="conversations each agent holds at most")
    parser.add_argument("--customers", type=int, default=40)
    parser.add_argument("--duration", type=float, default=240.0, help="seconds over which customers arrive")
    parser.add_argument("--distracted", type=float, default=0.1, help="share of replies taking 25-45 s")
    parser.add_argument("--away-return", type=float, default=0.0,
                        help="seconds after which an agent set away notices and comes back; 0: never")
    parser.add_argument("--offline-agents", type=int, default=0, help="agents who go offline mid-run")
    parser.add_argument("--drain", type=float, default=120.0,
                        help="seconds after the last arrival for conversations to finish")
    parser.add_argument("--url", help="a running server (the CLI must see its DATABASE_URL); default: start one")
    parser.add_argument("--timeline", type=Path, help="write every customer's messages, sent and received, here")
    args = parser.parse_args(argv)
    if args.agents < 1 or args.customers < 1 or args.duration <= 0 or not 0 <= args.distracted <= 1:
        parser.error("need at least one agent and one customer, a positive duration, 0 <= distracted <= 1")
    return Config(args.seed, args.agents, args.capacity, args.customers, args.duration, args.distracted,
                  args.away_return, args.offline_agents, args.drain, args.url, args.timeline)


def main(argv: list[str] | None = None) -> int:
    figures = asyncio.run(main_async(parse_args(argv)))
    print(json.dumps(figures, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
