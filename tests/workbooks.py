"""Reading the .xlsx files the bot writes, with openpyxl imported on the first read, not at collection.

Every pytest-xdist worker collects every test module; openpyxl costs about 0.18 s of CPU to import, and
only the workers that run a workbook test need it (the bot imports it lazily too: handlers/reports/workbook.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import IO, Any


def load_workbook(source: str | Path | IO[bytes]) -> Any:
    """openpyxl's `load_workbook`, imported when a test first reads a workbook."""
    from openpyxl import load_workbook as openpyxl_load_workbook

    return openpyxl_load_workbook(source)
