"""`GET /api/labels`: the Chinese label of every code the console may show (bot/labels.py)."""

from __future__ import annotations

from aiohttp import web
from pydantic import BaseModel, Field

from bot.labels import all_labels
from bot.runtime import RUNTIME
from bot.web.typed import endpoint


class LabelsOut(BaseModel):
    labels: dict[str, dict[str, str]] = Field(
        description="group (error, reason, case_state, intent, ...) -> code -> Chinese label")


@endpoint("GET", "/api/labels", response=LabelsOut, tag="console",
          summary="The Chinese label of every code the console may show (error codes included)")
async def get_labels(request: web.Request) -> LabelsOut:
    runtime = request.app[RUNTIME]
    return LabelsOut(labels=all_labels(runtime.templates, runtime.matcher.intents))


ENDPOINTS = [get_labels]
