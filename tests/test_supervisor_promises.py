"""The supervisor view's figures are the `response_time` report's for the same day (docs/handoff-sla.md
"The supervisor's figures are the report's"): both count what fell due by one rule (bot/promises.py),
so a customer never reached, or a question never answered, is a broken promise in the view too. The
view used to divide by the events that happened, and showed 100% while the report showed 50%.

Real app over HTTP with a FakeClock, as tests/test_handoff.py; no test waits real seconds.
"""

from __future__ import annotations

from tests import test_handoff
from tests.test_handoff import conversation, say, staff, tick
from tests.test_handoff_shift import send

clock = test_handoff.clock  # the same fake clock and shop hours as the handoff tests
bot_settings = test_handoff.bot_settings

MEASURES = ("reached", "acknowledged", "answered")


async def one_kept_one_broken(bot, clock, agent: dict) -> None:
    """The agent online with one place: c1 reached and answered in time, then c2 never reached (the
    place is taken) and c1's second question never answered, both past their due time."""
    await say(bot, "c1", "转人工")
    await tick(bot, clock, 0.3)  # greeted on the holder's behalf: reached within 15 s
    await say(bot, "c1", "在吗")
    await tick(bot, clock, 2)
    await send(bot, agent, "c1", "亲，在的")  # answered within 20 s
    await say(bot, "c2", "转人工")
    assert (await conversation("c2")).status == "queued"
    await say(bot, "c1", "还有个问题，能改地址吗")
    await tick(bot, clock, 21)  # c2's 15 s and c1's 20 s have both passed


async def test_the_supervisor_view_counts_the_promises_as_the_report_does(bot, clock):
    amy = await staff(bot, "amy", capacity=1)
    sue = await staff(bot, "sue", role="supervisor", online=False)  # online, she would take c2
    await one_kept_one_broken(bot, clock, amy)
    today = (await (await bot.client.get("/api/agent/supervisor", headers=sue)).json())["today"]
    day = clock.now().astimezone(bot.runtime.settings.zone).date().isoformat()
    response = await bot.client.get(f"/api/reports/response_time?from={day}&to={day}", headers=sue)
    assert response.status == 200
    totals = (await response.json())["totals"]
    for measure in MEASURES:
        assert (today[f"{measure}_kept"], today[f"{measure}_due"]) == (
            totals[f"{measure}_kept"], totals[f"{measure}_due"]), measure
    assert (today["reached_kept"], today["reached_due"]) == (1, 2)  # c2, never reached, is not left out
    assert (today["answered_kept"], today["answered_due"]) == (1, 2)  # nor c1's question never answered
