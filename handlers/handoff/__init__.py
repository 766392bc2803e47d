"""Human agents take over conversations, and no customer waits past 15 s / 20 s (docs/rules.md R-TIME, R-HANDOFF)."""

from __future__ import annotations

from bot.context import Context, Services
from bot.events import Say
from bot.extension import AreaKit, Extension
from bot.intent_areas import AreaIntents
from handlers.handoff import api, labels, recovery
from handlers.handoff.chat import SCRIPTS, router
from handlers.handoff.service import HANDOFF, Handoff
from models.agent import Agent


async def startup(kit: AreaKit) -> None:
    handoff = Handoff(kit.services, kit.scheduler, kit.messenger)
    kit.services[HANDOFF] = handoff
    kit.services.read_with_state.append(handoff.queue.holder_key)  # read on every message (chat.py)


async def reconcile(kit: AreaKit, store_lost: bool) -> None:
    await recovery.reconcile(kit.services[HANDOFF], store_lost)


async def on_escalate(ctx: Context, reason: str) -> list[Say]:
    return await ctx.services[HANDOFF].escalate(ctx, reason)


async def on_staff_signed_out(services: Services, agent: Agent) -> None:
    """Nobody is at the member's console any more: offline, as if they had chosen it (nothing new is
    given to them; what they hold goes to a colleague)."""
    agent = await Agent.get(id=agent.id)
    if agent.presence != "offline":
        await services[HANDOFF].set_presence(agent, "offline", reason="signed_out")


extension = Extension(
    "handoff",
    router=router,
    intents=AreaIntents(ranks={"human": 0}),  # docs/rules.md R-ANSWER-5: a person first
    scripts=(*SCRIPTS, *api.SCRIPTS, *labels.SCRIPTS),
    routes=api.ROUTES,
    endpoints=api.ENDPOINTS,
    startup=startup,
    reconcile=reconcile,
    on_escalate=on_escalate,
    on_staff_signed_out=on_staff_signed_out,
)
