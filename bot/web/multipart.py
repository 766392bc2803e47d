"""Reading `multipart/form-data` bodies: a missing boundary, a malformed part header or a body cut
short is the client's mistake and becomes 400 `invalid_multipart`, whichever endpoint reads the form."""

from __future__ import annotations

from collections.abc import AsyncIterator

from aiohttp import BodyPartReader, web
from aiohttp.http_exceptions import HttpProcessingError

from bot.web.problems import ApiError


async def form_parts(request: web.Request) -> AsyncIterator[BodyPartReader]:
    """Yield the body's parts (nested multiparts are refused); the caller reads each before the next."""
    try:
        reader = await request.multipart()
    except (ValueError, AssertionError) as exc:  # aiohttp: "boundary missed for Content-Type"
        raise ApiError(400, "invalid_multipart", "multipart body needs a boundary") from exc
    while True:
        try:
            part = await reader.next()
        except (ValueError, AssertionError, HttpProcessingError, UnicodeDecodeError) as exc:
            raise ApiError(400, "invalid_multipart", "malformed multipart body") from exc
        if part is None:
            return
        if not isinstance(part, BodyPartReader):
            raise ApiError(400, "invalid_multipart", "nested multipart bodies are not accepted")
        yield part
