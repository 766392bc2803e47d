"""A real browser for tests: Debian's Chromium, headless, driven by Playwright's async API.

Playwright never downloads a browser here (the machine has no internet): `launch` gets the system
Chromium through `executable_path`. `launch` gives every browser a fresh temporary profile
(user-data-dir) and deletes it on close; `open_page` gives each page a context of its own, so tests
never share cookies or localStorage. Where Chromium is missing, `require_chromium` skips the test
on a developer's machine and fails it when `CI` is set, so that CI never passes by silently
skipping the browser.

    @pytest.fixture
    async def browser() -> AsyncIterator[Browser]:
        async with chromium() as browser:
            yield browser

    async def test_page(browser: Browser) -> None:
        async with open_page(browser, url) as page:
            ...

`open_page` fails the test if the page threw an uncaught JavaScript error.
"""

from __future__ import annotations

import os
import weakref
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.async_api import Browser, BrowserContext, Error, Page, async_playwright, expect

CHROMIUM = Path(os.environ.get("CSBOT_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
PHONE = {"width": 375, "height": 667}
DESKTOP = {"width": 1280, "height": 800}
#: How long an action, and an `expect` (Playwright's own default: 5 s), waits for the page. The pages
#: answer in milliseconds; the margin is for a loaded machine (two cores, two suite workers per core
#: and the rest of the machine's work), where a 5 s expectation could run out.
TIMEOUT_MS = 10_000
expect.set_options(timeout=TIMEOUT_MS)
#: The password the browser tests give the staff they create.
STAFF_PASSWORD = "secret-pass-123"


def require_chromium() -> Path:
    """The Chromium binary, or skip (fail under `CI`) with the reason."""
    if CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK):
        return CHROMIUM
    message = f"{CHROMIUM} is missing: `apt-get install chromium`, or set CSBOT_CHROMIUM to a Chromium binary"
    if os.environ.get("CI"):
        pytest.fail(f"{message}; CI is set, so this fails instead of skipping", pytrace=False)
    pytest.skip(message)


@asynccontextmanager
async def chromium(**launch_options: Any) -> AsyncIterator[Browser]:
    """A headless Chromium with a fresh profile; closed (and its driver stopped) on exit."""
    executable = require_chromium()
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=executable, headless=True, args=list(CHROMIUM_ARGS), **launch_options
        )
        try:
            yield browser
        finally:
            await browser.close()


class _IdleContexts:
    """Browser contexts of one Chromium that tests have finished with, each with its one page, kept
    for the next tests.

    Opening a context costs Chromium about half a second of CPU more than opening a page in one it
    already has, and opening a page costs about a fifth of a second more than navigating one already
    open (a new page is a new renderer process, attached and instrumented by Playwright; measured in
    docs/performance.md, "The browser tests' CPU"). The browser tests open some seventy pages. A
    context is handed out again only cleared of cookies (a cookie belongs to a host, whatever the
    port) and only for an origin it has never shown: every test's bot listens on a port of its own,
    so the localStorage, sessionStorage and HTTP cache a test left behind belong to an origin no
    later test of that context visits (when the system hands a port out again, its origin gets a
    context that never saw it). Its page comes back at about:blank with the test's listeners and
    routes removed (`_clear_page`); a page the test closed, or one that could not be cleared, is
    closed and replaced by a new one; any other page the test opened is closed (`_put_away`). State
    set on the page by calls not undone here (`add_init_script`, `expose_binding`,
    `set_extra_http_headers`, `emulate_media`) would reach the next test: a test using them undoes
    them before its block ends. The viewport is the page's, set for each test (a context per
    viewport would double the contexts); the context last given back is handed out first."""

    def __init__(self) -> None:
        self.idle: dict[str, list[tuple[BrowserContext, set[str]]]] = {}

    async def take(self, browser: Browser, key: str, origin: str, **options: Any) -> tuple[BrowserContext, set[str]]:
        idle = self.idle.setdefault(key, [])
        for position, (context, seen) in reversed(list(enumerate(idle))):
            if origin not in seen:
                del idle[position]
                return context, seen
        context = await browser.new_context(**options)
        context.set_default_timeout(TIMEOUT_MS)
        return context, set()

    async def give_back(self, key: str, context: BrowserContext, seen: set[str]) -> None:
        await context.clear_cookies()
        await context.clear_permissions()
        self.idle.setdefault(key, []).append((context, seen))


_idle_contexts: weakref.WeakKeyDictionary[Browser, _IdleContexts] = weakref.WeakKeyDictionary()


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _listeners(page: Page) -> set[tuple[str, Any]]:
    """The event listeners on the page's Playwright object (its own and the tests')."""
    emitter = page._impl_obj  # Playwright's page: the event emitter that `page.on` registers with
    return {(event, listener) for event in emitter.event_names() for listener in emitter.listeners(event)}


def _holds_what_cannot_be_cleared(page: Page) -> bool:
    """Whether the test gave the page WebSocket routes or locator handlers: `unroute_all` leaves
    `route_web_socket`'s routes and Playwright has no call removing them, so the next test's sockets
    would reach the last test's handler. Such a page is closed, not handed on. Read from Playwright's
    page object: an attribute renamed by a new Playwright fails every browser test, not silently."""
    page_object = page._impl_obj
    return bool(page_object._web_socket_routes or page_object._locator_handlers)


async def _put_away(context: BrowserContext, page: Page | None, kept: set[tuple[str, Any]], seen: set[str]) -> None:
    """Every page of the context counted as having shown its origin; all but the test's own page
    closed (popups, `context.new_page()`: left open they would run on, at an origin the next test
    may visit); the test's page cleared for the next test, or closed when it cannot be."""
    for other in context.pages:
        seen.add(_origin(other.url))
        if other is not page:
            await other.close()
    if page is None or page.is_closed():
        return
    try:
        if _holds_what_cannot_be_cleared(page):
            await page.close()
        else:
            await _clear_page(page, kept)
    except Error:
        await page.close()


async def _clear_page(page: Page, kept: set[tuple[str, Any]]) -> None:
    """The page as a new one in its context: the listeners added since `kept` removed (through
    Playwright's own `remove_listener`, which also stops the events it no longer needs), its routes
    removed, at about:blank (the old origin's document, its sockets and timers gone)."""
    emitter = page._impl_obj
    for event, listener in _listeners(page) - kept:
        emitter.remove_listener(event, listener)
    await page.unroute_all(behavior="ignoreErrors")
    await page.goto("about:blank")


@asynccontextmanager
async def open_page(
    browser: Browser,
    url: str | None = None,
    *,
    viewport: dict[str, int] | None = None,
    **context_options: Any,
) -> AsyncIterator[Page]:
    """A page in a browser context of its own while the block runs (own cookies and localStorage:
    no other open page shares them, and no earlier page showed its origin in it), at a phone
    viewport unless told (`_IdleContexts`).

    Uncaught JavaScript errors are collected and fail the test when the block ends.
    """
    viewport = viewport or PHONE
    key = repr(sorted(context_options.items()))
    idle = _idle_contexts.setdefault(browser, _IdleContexts())
    context, seen = await idle.take(browser, key, _origin(url or ""), viewport=viewport, **context_options)
    seen.add(_origin(url or ""))
    errors: list[str] = []
    page: Page | None = None
    kept: set[tuple[str, Any]] = set()
    try:
        page = context.pages[0] if context.pages else await context.new_page()
        kept = _listeners(page)
        if page.viewport_size != viewport:
            await page.set_viewport_size(viewport)
        page.on("pageerror", lambda error: errors.append(str(error)))
        if url is not None:
            await page.goto(url)
        yield page
    finally:
        await _put_away(context, page, kept, seen)
        await idle.give_back(key, context, seen)
    assert not errors, f"uncaught JavaScript errors on the page: {errors}"


async def has_horizontal_scroll(page: Page) -> bool:
    """Whether the document is wider than the viewport (the page scrolls sideways)."""
    return await page.evaluate(
        "() => Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"
        " > document.documentElement.clientWidth"
    )


async def log_in(console: Page, name: str, password: str = STAFF_PASSWORD) -> None:
    """Log into the console as a person does; returns once the console is shown."""
    await console.locator("#login-name").fill(name)
    await console.locator("#login-password").fill(password)
    await console.get_by_role("button", name="登录").click()
    await expect(console.locator("#console-view")).to_be_visible()
