"""`csbot demo`: the demo shop and a guide to try it in two minutes (README "Try it").

Each area creates its own demo records (`Extension.demo_data`); this module adds a demo console
account and prints where to go: the `/demo` link, which opens the web chat as the demo customer
who owns the demo orders (`bot.channels.webchat.DEMO_VISITOR`), the console login, and three
things to try. The demo account gets a new random password on every run, so a demo shop never
keeps a password anyone could have read in the documentation.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from bot.config import Settings
from bot.runtime import Runtime
from bot.web.auth import create_agent, hash_password
from models.agent import Agent

DEMO_AGENT = "demo-agent"


@dataclass(frozen=True)
class DemoLogin:
    name: str
    password: str


async def create_demo(runtime: Runtime) -> DemoLogin:
    """Every area's demo records, then the demo agent (created, or given a fresh password)."""
    for extension in runtime.extensions:
        if extension.demo_data is not None:
            await extension.demo_data(runtime.kit)
            print(f"demo data: {extension.name} ready")
    password = secrets.token_urlsafe(9)
    agent = await Agent.get_or_none(name=DEMO_AGENT)
    if agent is None:
        await create_agent(DEMO_AGENT, "agent", password, capacity=5, now=runtime.clock.now())
    else:
        agent.password_hash = await hash_password(password)
        await agent.save(update_fields=["password_hash"])
    print(f"demo data: console account {DEMO_AGENT} ready")
    return DemoLogin(DEMO_AGENT, password)


def print_guide(settings: Settings, login: DemoLogin) -> None:
    base = settings.public_base_url
    print(f"""
Try it (start the server first: `csbot serve`, or `bash .ci/serve.sh` in a checkout):

  1. Open {base}/demo : the shop's chat window, as the demo customer 王小蜜, who has four orders.
  2. Open {base}/console in another window and log in as {login.name} / {login.password}
     (the password changes each time you run `csbot demo`); press 在线 to take conversations.

Three things to try in the chat window:
  a. 我要退货, then the order number E2026112000102: the bot files a return and gives its case number.
  b. 快递到哪了 E2026112000101: the parcel's latest tracking, from the demo order's history.
  c. 转人工: the conversation goes to {login.name} in the console (during staffed hours
     {settings.staffed_hours}); answer it there and watch the reply arrive in the chat.
""")
