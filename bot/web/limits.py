"""Refuse oversized request bodies before reading them.

aiohttp's `client_max_size` only stops `request.read()` after a whole megabyte has been buffered, and
the connection then stays open for 10 s to drain the rest: under a few hundred clients sending
1.5 MiB bodies, a worker buffered hundreds of megabytes it never gave back to the system. Here a
declared `Content-Length` over the limit is answered 413 at once, before any of the body is
buffered, and the connection is closed after it (HANDLER_ARGS bounds how long the rest is
discarded). Multipart bodies (photo uploads) are read as a stream by their handler, which enforces
its own per-file limit; they get the larger `multipart_limit` here.
"""

from __future__ import annotations

from aiohttp import hdrs, web

from bot.web.problems import ApiError, error_response

#: aiohttp's connection settings: the rest of a body left unread is read and discarded for at most
#: 2 s (aiohttp's default is 10 s) before the connection is closed, so the client still sees its 413
#: rather than a reset; a 16 KiB read buffer per request rather than 64 KiB.
HANDLER_ARGS = {"lingering_time": 2.0, "read_bufsize": 16 * 1024}


def too_large(limit: int) -> web.Response:
    return _closing(error_response(413, "body_too_large", f"request bodies are limited to {limit} bytes"))


def _closing(response: web.Response) -> web.Response:
    response.force_close()
    return response


class BodyLimit:
    """Bodies over `limit` (`multipart_limit` for forms) answered 413, the connection closed after it:
    checked on the declared length before the handler (`refuse`), and for what the handler ran into
    while reading (`refused`). Part of `bot.web.guards.request_guards`' one middleware."""

    def __init__(self, limit: int, multipart_limit: int) -> None:
        self.limit, self.multipart_limit = limit, multipart_limit
        self._smaller = min(limit, multipart_limit)

    def allowed(self, request: web.Request) -> int:
        return self.multipart_limit if request.content_type.startswith("multipart/") else self.limit

    def refuse(self, request: web.Request) -> web.Response | None:
        """413 for a declared length over the limit, before any of the body is read."""
        declared = request.headers.get(hdrs.CONTENT_LENGTH, "")
        # the content type is parsed only for a body over the smaller limit (not for every webhook call)
        if declared.isdigit() and int(declared) > self._smaller and int(declared) > self.allowed(request):
            return too_large(self.allowed(request))
        return None

    def refused(self, request: web.Request, exc: Exception) -> web.Response | None:
        """The 413 for an exception the handler raised: a chunked body that turned out too long, or a
        handler's own limit (a photo's size), whose rest is then not read; None for anything else."""
        if isinstance(exc, web.HTTPRequestEntityTooLarge):
            return too_large(self.allowed(request))
        if isinstance(exc, ApiError) and exc.status == 413:
            return _closing(exc.response())
        return None
