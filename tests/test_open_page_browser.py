"""tests/browser.py's `open_page` hands a context's page to the next test (navigated, not opened
anew): that page must start as a new one would, keeping nothing the last test set on it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from aiohttp import web
from aiohttp.test_utils import TestServer
from playwright.async_api import Browser, Route

from tests.browser import open_page

pytestmark = pytest.mark.asyncio(loop_scope="session")  # the session's Chromium lives in that loop

OWN_VIEWPORT = {"width": 1001, "height": 701}


@pytest_asyncio.fixture(loop_scope="session")
async def two_origins() -> AsyncIterator[list[str]]:
    """Two small sites on 127.0.0.1, on ports of their own (two origins, one cookie host)."""

    async def page(request: web.Request) -> web.Response:
        return web.Response(text="<!doctype html><title>page</title><p>page</p>", content_type="text/html")

    servers = []
    for _ in range(2):
        app = web.Application()
        app.router.add_get("/", page)
        server = TestServer(app, host="127.0.0.1")
        await server.start_server()
        servers.append(server)
    yield [str(server.make_url("/")) for server in servers]
    for server in servers:
        await server.close()


async def test_a_page_handed_out_again_keeps_nothing_of_the_last_test(browser: Browser, two_origins: list[str]):
    first, second = two_origins

    async def routed(route: Route) -> None:
        await route.fulfill(status=200, body="routed")

    async with open_page(browser, first, viewport=OWN_VIEWPORT) as page:
        page.on("dialog", lambda dialog: dialog.accept("answered"))
        await page.route("**/elsewhere", routed)
        await page.set_viewport_size({"width": 500, "height": 400})
        await page.evaluate("() => { document.cookie = 'left=1; path=/'; }")
        assert await page.evaluate("() => prompt('?')") == "answered"
        assert await page.evaluate("() => fetch('/elsewhere').then((r) => r.status)") == 200
        used = page
    async with open_page(browser, second, viewport=OWN_VIEWPORT) as page:
        assert page is used  # the context given back last, its page navigated (else this proves nothing)
        assert page.url == second
        assert await page.evaluate("() => prompt('?')") is None  # no listener left: Playwright dismisses it
        assert await page.evaluate("() => fetch('/elsewhere').then((r) => r.status)") == 404  # the server's
        assert page.viewport_size == OWN_VIEWPORT
        assert await page.evaluate("() => document.cookie") == ""  # same host, another port: it would show
