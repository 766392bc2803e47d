"""Alerts to managers outside the console: a JSON POST to `ALERT_WEBHOOK_URL` (the handoff's queue
alert, docs/handoff-sla.md; major complaints, docs/rules.md R-COMPLAINT-9). A slow or failing hook is
logged by kind and never holds up the caller's work."""

from __future__ import annotations

import logging
from collections.abc import Mapping

import aiohttp

log = logging.getLogger("csbot.alerts")
WEBHOOK_TIMEOUT_S = 3.0


async def post_webhook(url: str | None, payload: Mapping[str, object]) -> None:
    if not url:
        return
    try:
        timeout = aiohttp.ClientTimeout(total=WEBHOOK_TIMEOUT_S)
        async with aiohttp.ClientSession(timeout=timeout) as session, session.post(url, json=dict(payload)) as response:
            if response.status >= 400:
                log.warning("alert webhook answered %d", response.status)
    except (TimeoutError, aiohttp.ClientError) as exc:
        log.warning("alert webhook failed: %s", type(exc).__name__)
