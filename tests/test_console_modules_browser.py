"""The console as ES modules in a real browser (Debian's Chromium, headless) against the real app.

A probe area contributes a console panel the way complaints, callbacks and reports do
(`ConsolePanel` in its `Extension`, docs/architecture.md "Console panels"); the test checks what the
contract promises a panel: a tab labelled from its scripts_zh texts, `mount` on the first opening only
and `show` on the next, `ctx.api` with the session, `ctx.me`, `ctx.texts`, `ctx.live` events from the
agent WebSocket, and nothing left on the page after logout. The after-sales 售后工单 tab is such a
panel too; the shared API module reads both error shapes and labels a code from scripts_zh.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import pytest_asyncio
from aiohttp.test_utils import TestClient, TestServer
from playwright.async_api import Browser, Page, expect

from bot.app import build_app
from bot.console_panel import ConsolePanel
from bot.extension import Extension
from bot.runtime import RUNTIME
from bot.web.auth import create_agent
from handlers import EXTENSIONS
from tests.browser import DESKTOP, open_page
from tests.browser import STAFF_PASSWORD as PASSWORD
from tests.browser import log_in as log_in_as
from tests.fakes.bot_app import make_settings

pytestmark = pytest.mark.asyncio(loop_scope="session")  # the session's Chromium lives in that loop

PROBE_JS = """
let mounts = 0;
export default {
  async mount(container, ctx) {
    mounts += 1;
    container.innerHTML = '<p id="probe-me"></p><p id="probe-api"></p><p id="probe-live"></p><p id="probe-shows">0</p>';
    container.querySelector("#probe-me").textContent = `${ctx.me.name} ${ctx.texts.tab} ${mounts}`;
    const me = await ctx.api("GET", "/api/agent/me");
    container.querySelector("#probe-api").textContent = me.agent.name;
    ctx.live.on("probe.ping", (event) => { container.querySelector("#probe-live").textContent = event.word; });
    let shows = 0;
    return { show() { shows += 1; container.querySelector("#probe-shows").textContent = String(shows); } };
  },
};
"""


@dataclass
class Shop:
    client: TestClient
    browser: Browser

    def url(self, path: str) -> str:
        return str(self.client.make_url(path))


@pytest_asyncio.fixture(loop_scope="session")
async def shop(tmp_path: Path, browser: Browser) -> AsyncIterator[Shop]:
    module = tmp_path / "probe_panel.js"
    module.write_text(PROBE_JS, encoding="utf-8")
    probe = Extension("probe", console_panels=[ConsolePanel("probe", module, texts="after_sales_console")])
    app = build_app(make_settings(tmp_path), [*EXTENSIONS, probe])
    client = TestClient(TestServer(app, host="127.0.0.1"))
    await client.start_server()
    try:
        yield Shop(client, browser)
    finally:
        await client.close()


async def log_in(console: Page, name: str) -> None:
    await log_in_as(console, name)
    await expect(console.locator("#me-name")).to_have_text(name)
    await expect(console.locator("#conn")).to_have_attribute("data-state", "online")


async def test_a_panel_is_mounted_once_with_its_context_and_leaves_with_the_session(shop: Shop) -> None:
    agent = await create_agent("小美", "agent", PASSWORD)
    async with open_page(shop.browser, shop.url("/console"), viewport=DESKTOP) as console:
        await log_in(console, "小美")
        tab = console.locator("#tab-probe")
        await expect(tab).to_have_text("售后工单")  # its label is the `tab` text of its scripts_zh file
        await expect(console.locator("#probe-view")).to_be_hidden()
        await expect(console.locator("#probe-me")).to_have_count(0)  # not mounted before it is opened

        await tab.click()
        await expect(tab).to_have_attribute("aria-pressed", "true")
        await expect(console.locator("#tab-desk")).to_have_attribute("aria-pressed", "false")
        await expect(console.locator("#desk-view")).to_be_hidden()
        await expect(console.locator("#probe-me")).to_have_text("小美 售后工单 1")
        await expect(console.locator("#probe-api")).to_have_text("小美")  # ctx.api carries the session

        await shop.client.app[RUNTIME].store.publish(f"agent:{agent.id}", {"type": "probe.ping", "word": "你好"})
        await expect(console.locator("#probe-live")).to_have_text("你好")  # ctx.live: the agent WebSocket

        await console.locator("#tab-desk").click()
        await expect(console.locator("#desk-view")).to_be_visible()
        await expect(console.locator("#probe-view")).to_be_hidden()
        await tab.click()
        await expect(console.locator("#probe-shows")).to_have_text("1")  # shown again, not mounted again
        await expect(console.locator("#probe-me")).to_have_text("小美 售后工单 1")

        await console.locator("#logout").click()
        await expect(console.locator("#login-view")).to_be_visible()
        await expect(console.locator("[data-panel]")).to_have_count(0)  # nothing of the session stays
        await log_in(console, "小美")
        await expect(console.locator("#tab-probe")).to_have_count(1)  # one tab, not one per login
        await expect(console.locator("#tab-cases")).to_have_count(1)


async def test_the_after_sales_tab_is_the_after_sales_areas_panel(shop: Shop) -> None:
    await create_agent("老王", "supervisor", PASSWORD)
    async with open_page(shop.browser, shop.url("/console"), viewport=DESKTOP) as console:
        modules: list[str] = []
        console.on("request", lambda request: modules.append(request.url))
        await log_in(console, "老王")
        tab = console.locator("#tab-cases")
        await expect(tab).to_have_attribute("data-panel", "cases")
        await tab.click()
        await expect(console.locator("#cases-view.ext-panel")).to_be_visible()
        await expect(console.locator("#cases-empty")).to_have_text("暂无未结工单")
        assert shop.url("/console/panels/cases.js") in modules


async def test_the_api_module_reads_both_error_shapes_and_labels_codes(shop: Shop) -> None:
    async with open_page(shop.browser, shop.url("/console"), viewport=DESKTOP) as console:
        seen = await console.evaluate("""async () => {
            const { ApiError, errorText } = await import("/static/lib/api.js");
            const typed = new ApiError(409, { error: { code: "not_held", message: "not held" }, allowed: ["x"] });
            const older = new ApiError(409, { error: "not_held" });
            const unknown = new ApiError(400, { error: { code: "something_new", message: "m" } });
            const silent = new ApiError(0, null);
            return [typed.code, typed.message, typed.detail.allowed, older.code, errorText(typed, "fallback"),
                    errorText(older, "fallback"), errorText(unknown, "fallback"), silent.status, silent.code];
        }""")
    assert seen == ["not_held", "not held", ["x"], "not_held", "该会话已不在人工接待中，请刷新后再试",
                    "该会话已不在人工接待中，请刷新后再试", "fallback", 0, ""]
