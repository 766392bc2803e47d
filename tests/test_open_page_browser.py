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


async def test_a_web_socket_route_is_not_handed_to_the_next_test(browser: Browser, two_origins: list[str]):
    """`unroute_all` leaves `route_web_socket`'s routes in place (Playwright has no call removing them):
    the next test's sockets would go to the last test's handler."""
    first, second = two_origins
    routed: list[str] = []
    async with open_page(browser, first) as page:
        await page.route_web_socket("**/ws", lambda ws: routed.append(ws.url))
    async with open_page(browser, second) as page:
        opened = await page.evaluate("""() => new Promise((settle) => {
            const socket = new WebSocket(location.href.replace('http', 'ws') + 'ws');
            socket.onopen = () => settle('open');
            socket.onerror = () => settle('error');
        })""")
        assert (opened, routed) == ("error", [])  # the site has no socket: nothing answers but a route


async def test_pages_a_test_opened_beside_its_own_are_closed_and_their_origins_kept(
    browser: Browser, two_origins: list[str]
):
    """A second page (a popup, `context.new_page()`) is closed when the test ends and its origin counts
    as shown: the next test at that origin gets a context that never showed it."""
    first, second = two_origins
    async with open_page(browser, first) as page:
        beside = await page.context.new_page()
        await beside.goto(second)
        await beside.evaluate("() => localStorage.setItem('left', '1')")
    assert beside.is_closed()
    async with open_page(browser, second) as page:
        assert page.context.pages == [page]
        assert await page.evaluate("() => localStorage.getItem('left')") is None
