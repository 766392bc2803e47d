"""The agent console's page (`GET /console`), rendered with its wording from `scripts_zh/console.yaml`.

The page is the same for everyone; who is logged in and what they may see comes from the JSON API
afterwards (bot/web/static/console.js, its views and the panels areas contribute, bot/web/panels.py).
"""

from __future__ import annotations

from aiohttp import web

from bot.runtime import RUNTIME
from bot.web import pages

TEXTS = "console"
MAX_REPLY_CHARS = 2000
HEADERS = {"Content-Security-Policy": "default-src 'self'", "X-Content-Type-Options": "nosniff"}


async def console_page(request: web.Request) -> web.Response:
    texts = request.app[RUNTIME].templates.section(TEXTS)
    return pages.render(request, "console.html", {"t": texts, "max_chars": MAX_REPLY_CHARS}, headers=HEADERS)


ROUTES = [web.get("/console", console_page)]
