"""Archive sections contributed by areas: the extension point for parts of the customer archive.

The customer archive (handlers/archive, docs/rules.md R-ARCHIVE) shows one person across channels.
Each area that keeps records about customers (orders, after-sales cases, referrals, complaints,
callbacks) describes its part of the archive with an `ArchiveSection` in its `Extension`; the
archive asks every section's `load` for the person's customer ids, checks who may read it and logs
the read. A section marked `internal` (complaint history, say) is shown to staff only and never
reaches the customer (R-ARCHIVE-4).
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from models.agent import Agent

SECTION_NAME = re.compile(r"^[a-z][a-z0-9_]{0,31}$")

#: `load(customer_ids, viewer)`: the section's rows for the person's channel identities, as JSON-ready
#: dicts (ISO strings for times), newest first; the viewer is given for areas that show less to some.
SectionLoader = Callable[[Sequence[int], "Agent"], Awaitable[list[dict[str, Any]]]]


@dataclass(frozen=True)
class ArchiveSection:
    name: str
    #: Key of the section's label in `scripts_zh/archive_console.yaml` (the console shows it).
    label_key: str
    load: SectionLoader
    #: Internal sections are for staff only (never shown to the customer or sent into their chat).
    internal: bool = False

    def __post_init__(self) -> None:
        if not SECTION_NAME.match(self.name):
            raise ValueError(f"archive section name {self.name!r} must be lower-case letters, digits and _")
