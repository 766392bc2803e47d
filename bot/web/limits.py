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


def body_limit(limit: int, multipart_limit: int) -> web.Middleware:
    """Middleware answering 413 (and closing) for bodies over `limit` (`multipart_limit` for forms)."""

    def allowed(request: web.Request) -> int:
        return multipart_limit if request.content_type.startswith("multipart/") else limit

    @web.middleware
    async def refuse_oversized(request: web.Request, handler: web.RequestHandler) -> web.StreamResponse:
        declared = request.headers.get(hdrs.CONTENT_LENGTH, "")
        # the content type is parsed only for a body over the smaller limit (not for every webhook call)
        if declared.isdigit() and int(declared) > min(limit, multipart_limit) and int(declared) > allowed(request):
            return too_large(allowed(request))
        try:
            return await handler(request)
        except web.HTTPRequestEntityTooLarge:  # a chunked body that turned out too long
            return too_large(allowed(request))
        except ApiError as exc:
            if exc.status != 413:
                raise
            return _closing(exc.response())  # a handler's own limit (a photo's size): the rest is not read

    return refuse_oversized
