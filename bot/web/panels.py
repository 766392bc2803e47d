"""Serving the console panels areas contribute (`ConsolePanel`, bot/console_panel.py).

The console (bot/web/static/console/panels.js)
asks `GET /api/console/panels` which panels the logged-in staff member may open, adds a tab for each
and imports the panel's ES module from `/console/panels/<id>.js`. The module's default export is
`{ mount(container, ctx) }` (docs/architecture.md, "Console panels"); `ctx` gives it the API client
(session cookie + CSRF token), the staff member and the panel's texts. Every text a panel shows
comes from its own `scripts_zh/<texts>.yaml` file (key `tab` is the tab's label), so the lint that
checks customer-facing wording checks the console's too.
"""

from __future__ import annotations

from aiohttp import web
from pydantic import BaseModel

from bot.console_panel import ConsolePanel
from bot.runtime import RUNTIME
from bot.web.auth import AGENT
from bot.web.typed import ApiError, endpoint


class PanelOut(BaseModel):
    id: str
    label: str
    module: str
    texts: dict[str, str]


class PanelsOut(BaseModel):
    panels: list[PanelOut]


def _panels(request: web.Request) -> dict[str, ConsolePanel]:
    runtime = request.app[RUNTIME]
    return {panel.id: panel for extension in runtime.extensions for panel in extension.console_panels}


@endpoint("GET", "/api/console/panels", response=PanelsOut, tag="console",
          summary="The console panels the logged-in staff member may open, with their texts")
async def list_panels(request: web.Request) -> PanelsOut:
    templates = request.app[RUNTIME].templates
    role = request[AGENT].role
    panels = []
    for panel in _panels(request).values():
        if panel.roles and role not in panel.roles:
            continue
        texts = templates.section(panel.texts)
        panels.append(PanelOut(id=panel.id, label=texts.get("tab", panel.id), module=f"/console/panels/{panel.id}.js",
                               texts=texts))
    return PanelsOut(panels=panels)


async def panel_module(request: web.Request) -> web.StreamResponse:
    panel = _panels(request).get(request.match_info["panel_id"])
    if panel is None:
        raise ApiError(404, "no_such_panel", "no such console panel")
    return web.FileResponse(panel.module, headers={"Content-Type": "text/javascript; charset=utf-8",
                                                   "Cache-Control": "no-cache"})


ENDPOINTS = [list_panels]
ROUTES = [web.get("/console/panels/{panel_id}.js", panel_module)]
