"""Console panels contributed by areas: the extension point for the agent console's tabs.

An area lists `ConsolePanel`s in its `Extension`; bot/web/panels.py tells the console which panels
the logged-in staff member may open and serves their ES modules (docs/architecture.md, "Console
panels").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

PANEL_ID = re.compile(r"^[a-z][a-z0-9_]{0,31}$")


@dataclass(frozen=True)
class ConsolePanel:
    id: str
    #: The panel's ES module on disk (served as `/console/panels/<id>.js`).
    module: Path
    #: Stem of the `scripts_zh/` file holding the panel's texts; its `tab` text labels the tab.
    texts: str
    #: Roles that see the panel; empty: every staff member.
    roles: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not PANEL_ID.match(self.id):
            raise ValueError(f"panel id {self.id!r} must be lower-case letters, digits and _")


