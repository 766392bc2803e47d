"""Server-rendered pages through aiohttp-jinja2, always with autoescape.

Every value put into a page (the shop's name, a campaign title, a customer's masked name) is escaped by
Jinja itself, so no page fills `{{slot}}`s by hand. Templates are found two ways: the core's pages by
name in `bot/web/templates/`, an area's pages as `<package>:<path>` (for example
`handlers.referral:html/landing.html`), so an area keeps its pages beside its code and `bot/` never
imports it. A page's Chinese wording comes from `scripts_zh/` (`ui_texts`, docs/architecture.md
"Console panels" and "Pages"): the page gets its texts as `t` and, for its scripts, as JSON in
`<script type="application/json" id="ui-texts">` (read by bot/web/static/lib/texts.js).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import aiohttp_jinja2
import jinja2
from aiohttp import web

TEMPLATES = Path(__file__).resolve().parent / "templates"
#: Pages never run inline script or load anything from another site.
PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:",
    "X-Content-Type-Options": "nosniff",
}


class PackageLoader(jinja2.BaseLoader):
    """`<package>:<path>` names a file inside an importable package (an area's own page)."""

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Callable[[], bool]]:
        package, sep, path = template.partition(":")
        if not sep or not package or ".." in Path(path).parts:
            raise jinja2.TemplateNotFound(template)
        try:
            file = resources.files(package).joinpath(path)
        except ModuleNotFoundError:
            raise jinja2.TemplateNotFound(template) from None
        if not file.is_file():
            raise jinja2.TemplateNotFound(template)
        source = file.read_text(encoding="utf-8")
        return source, str(file), lambda: True


def setup(app: web.Application) -> None:
    """Give `app` one Jinja environment with autoescape on for every template (not only `.html`)."""
    aiohttp_jinja2.setup(
        app,
        loader=jinja2.ChoiceLoader([jinja2.FileSystemLoader(TEMPLATES), PackageLoader()]),
        autoescape=True,
        undefined=jinja2.StrictUndefined,  # a misspelt slot is an error in tests, not an empty page
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render(request: web.Request, name: str, context: Mapping[str, Any], *, status: int = 200,
           headers: Mapping[str, str] | None = None) -> web.Response:
    """The page `name` filled with `context`, escaped, as an HTML response."""
    response = aiohttp_jinja2.render_template(name, request, dict(context), status=status)
    response.headers.update(PAGE_HEADERS if headers is None else headers)
    return response
