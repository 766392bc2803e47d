"""Photos in the web chat: the customer uploads one, staff look at it.

`POST /api/after-sales/photos` (multipart: `user_id`, optional `client_msg_id`, `file`) stores the
image under its SHA-256 name and feeds an `image` message through the dispatcher, exactly as a
WeChat image arrives, so it attaches to the dialogue or the open case and is answered like any
message (`{"replies": [...]}`). The same photo sent twice has the same name and message id, so it is
attached once. Only JPEG, PNG, GIF and WebP are kept, up to `AFTER_SALES_PHOTO_MAX_BYTES`.

`GET /api/after-sales/photos/{name}` serves a stored photo to staff only (customer data).
"""

from __future__ import annotations

import asyncio
import hashlib
import re

from aiohttp import web

from bot.events import Inbound
from bot.runtime import RUNTIME
from bot.web.auth import require
from bot.web.jsonbody import dumps, json_error
from bot.web.multipart import form_parts

UPLOAD_PATH = "/api/after-sales/photos"
USER_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
NAME = re.compile(r"[0-9a-f]{64}\.(jpg|png|gif|webp)")
MAGIC = ((b"\xff\xd8\xff", "jpg"), (b"\x89PNG\r\n\x1a\n", "png"), (b"GIF87a", "gif"), (b"GIF89a", "gif"))
CONTENT_TYPES = {"jpg": "image/jpeg", "png": "image/png", "gif": "image/gif", "webp": "image/webp"}


def image_type(head: bytes) -> str | None:
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    return next((ext for magic, ext in MAGIC if head.startswith(magic)), None)


async def _read_form(request: web.Request, limit: int) -> tuple[dict[str, str], bytes]:
    fields: dict[str, str] = {}
    data = b""
    async for part in form_parts(request):
        if part.name == "file":
            chunks, size = [], 0
            while chunk := await part.read_chunk():
                size += len(chunk)
                if size > limit:
                    raise web.HTTPRequestEntityTooLarge(
                        max_size=limit, actual_size=size, content_type="application/json",
                        text=dumps({"error": f"photos are limited to {limit} bytes"}))
                chunks.append(chunk)
            data = b"".join(chunks)
        elif part.name in ("user_id", "client_msg_id"):
            fields[part.name] = (await part.text())[:128]
    return fields, data


async def upload_photo(request: web.Request) -> web.Response:
    runtime = request.app[RUNTIME]
    settings = runtime.settings
    if not request.content_type.startswith("multipart/"):
        raise json_error(web.HTTPBadRequest, "send multipart/form-data with user_id and file")
    fields, data = await _read_form(request, settings.after_sales_photo_max_bytes)
    user_id, client_msg_id = fields.get("user_id", ""), fields.get("client_msg_id")
    if not USER_ID.fullmatch(user_id) or (client_msg_id is not None and not USER_ID.fullmatch(client_msg_id)):
        raise json_error(web.HTTPBadRequest, "user_id and client_msg_id must be 1-64 letters, digits, - or _")
    ext = image_type(data[:16])
    if ext is None:
        raise json_error(web.HTTPUnsupportedMediaType, "the file must be a JPEG, PNG, GIF or WebP image")
    name = f"{hashlib.sha256(data).hexdigest()}.{ext}"
    path = settings.after_sales_upload_dir / name
    if not path.exists():
        await asyncio.to_thread(_write, path, data)
    channel = runtime.channels["webchat"]
    inbound = Inbound(channel="webchat", user_id=user_id, kind="image", media_url=f"{UPLOAD_PATH}/{name}",
                      source_id=f"{user_id}:{client_msg_id or 'photo-' + name[:16]}", received_at=runtime.clock.now())
    outcome = await runtime.dispatcher.handle(inbound, channel.max_bytes)
    for source_id in outcome.message_ids:
        await runtime.recorder.mark_delivery(source_id, "sent")
    return web.json_response({"replies": outcome.texts}, dumps=dumps)


def _write(path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".part")
    partial.write_bytes(data)
    partial.replace(path)


@require()
async def get_photo(request: web.Request) -> web.StreamResponse:
    name = request.match_info["name"]
    path = request.app[RUNTIME].settings.after_sales_upload_dir / name
    if not NAME.fullmatch(name) or not path.exists():
        raise json_error(web.HTTPNotFound, "no such photo")
    return web.FileResponse(path, headers={"Content-Type": CONTENT_TYPES[name.rsplit(".", 1)[1]],
                                           "X-Content-Type-Options": "nosniff"})


ROUTES = [web.post(UPLOAD_PATH, upload_photo), web.get(UPLOAD_PATH + "/{name}", get_photo)]
