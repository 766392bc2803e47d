"""A real browser for tests: Debian's Chromium, headless, driven by Playwright's async API.

Playwright never downloads a browser here (the machine has no internet): `launch` gets the system
Chromium through `executable_path`. `launch` gives every browser a fresh temporary profile
(user-data-dir) and deletes it on close, so tests never share cookies or localStorage. Where
Chromium is missing, `require_chromium` skips the test on a developer's machine and fails it when
`CI` is set, so that CI never passes by silently skipping the browser.

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
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser, Page, async_playwright, expect

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
TIMEOUT_MS = 10_000
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


@asynccontextmanager
async def open_page(
    browser: Browser,
    url: str | None = None,
    *,
    viewport: dict[str, int] | None = None,
    **context_options: Any,
) -> AsyncIterator[Page]:
    """A page in its own browser context (own localStorage), at a phone viewport unless told.

    Uncaught JavaScript errors are collected and fail the test when the block ends.
    """
    context = await browser.new_context(viewport=viewport or PHONE, **context_options)
    context.set_default_timeout(TIMEOUT_MS)
    errors: list[str] = []
    try:
        page = await context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        if url is not None:
            await page.goto(url)
        yield page
    finally:
        await context.close()
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
