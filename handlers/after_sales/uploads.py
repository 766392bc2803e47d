"""Photos in the web chat: the customer uploads one, staff look at it.

`POST /api/after-sales/photos` (multipart: `file`, optional `client_msg_id`; header `X-Visitor-Token`)
stores the image under its SHA-256 name and feeds an `image` message through the dispatcher, exactly
as a WeChat image arrives, so it attaches to the dialogue or the open case and is answered like any
message (`{"replies": [...]}`). The same photo sent twice has the same name and message id, so it is
attached once.

What is accepted, so that an anonymous client cannot fill the disk (docs/webchat.md):
- only from a proven visitor (bot/web/visitors.py) who is in an after-sales dialogue or has an open
  case (403 otherwise);
- up to `AFTER_SALES_PHOTO_MAX_BYTES` each (413) and `AFTER_SALES_PHOTOS_PER_VISITOR` a day (429);
- only what Pillow reads as a JPEG, PNG, GIF or WebP image of sane dimensions, whatever the file
  claims to be (415);
- while the upload directory stays under `AFTER_SALES_UPLOAD_QUOTA_BYTES` (507).
Photos are removed by the daily job under the retention rules (`remove_expired_photos`).

`GET /api/after-sales/photos/{name}` serves a stored photo to staff only (customer data).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import io
import logging
import re
import warnings
from pathlib import Path

from aiohttp import web

from bot.channels.webchat import VISITOR_ERRORS, VISITOR_SECURITY, proven_visitor
from bot.events import Inbound
from bot.extension import area_service
from bot.state import ConversationState
from bot.web.auth import require
from bot.web.multipart import form_parts
from bot.web.problems import ApiError
from bot.web.typed import endpoint
from handlers.after_sales import dialogue
from handlers.after_sales.desk import DESK, Desk
from handlers.after_sales.machine import OPEN_STATES
from handlers.after_sales.schemas import PhotoForm, RepliesOut
from models.case import AfterSalesCase, CasePhoto
from models.customer import Customer

log = logging.getLogger("csbot.after_sales")

UPLOAD_PATH = "/api/after-sales/photos"
CLIENT_MSG_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
NAME = re.compile(r"[0-9a-f]{64}\.(jpg|png|gif|webp)")
FORMATS = {"JPEG": "jpg", "PNG": "png", "GIF": "gif", "WEBP": "webp"}
CONTENT_TYPES = {"jpg": "image/jpeg", "png": "image/png", "gif": "image/gif", "webp": "image/webp"}
MAX_PIXELS = 50_000_000  # a phone camera's photo is ~12-50 MP; more is a decompression bomb
#: A photo attached to no case (its dialogue was abandoned) is removed after this many days.
ORPHAN_DAYS = 7


def image_type(data: bytes) -> str | None:
    """The file extension of what `data` really is, read by Pillow; None for anything else. Called in a
    thread, which imports Pillow on the first photo, not every process that starts the bot."""
    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                kind = FORMATS.get(image.format or "")
                if kind is None or image.width * image.height > MAX_PIXELS:
                    return None
                image.verify()
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning, OSError,
            ValueError, SyntaxError):
        return None
    return kind


async def _read_form(request: web.Request, limit: int) -> tuple[dict[str, str], bytes]:
    fields: dict[str, str] = {}
    data = b""
    async for part in form_parts(request):
        if part.name == "file":
            chunks, size = [], 0
            while chunk := await part.read_chunk():
                size += len(chunk)
                if size > limit:
                    raise ApiError(413, "photo_too_large", f"photos are limited to {limit} bytes")
                chunks.append(chunk)
            data = b"".join(chunks)
        elif part.name in ("user_id", "client_msg_id"):
            fields[part.name] = (await part.text())[:128]
    return fields, data


async def in_after_sales(desk: Desk, user_id: str) -> bool:
    """True while the visitor is in the after-sales dialogue or has an open case."""
    state = ConversationState.from_dict(await desk.store.get_state(f"webchat:{user_id}"))
    if state.flow == dialogue.FLOW:
        return True
    customer = await Customer.get_or_none(channel="webchat", external_id=user_id)
    return customer is not None and await AfterSalesCase.filter(customer_id=customer.id,
                                                                state__in=OPEN_STATES).exists()


async def _visitor_proven(request: web.Request) -> None:
    proven_visitor(request)


@endpoint("POST", UPLOAD_PATH, form=PhotoForm, response=RepliesOut, public=True, before=_visitor_proven,
          security=VISITOR_SECURITY,
          tag="webchat", summary="Web chat: a customer in an after-sales request sends a photo (multipart: file, "
                                 "optional client_msg_id and user_id); the bot's replies come back",
          errors={**VISITOR_ERRORS, 400: "not multipart/form-data (multipart_required), bad client_msg_id",
                  403: "no after-sales request open (not_in_after_sales), or a visitor token refused",
                  413: "photo too large (photo_too_large)", 415: "not an image (not_an_image)",
                  429: "too many photos today (too_many_photos)", 507: "photo storage full (storage_full)"})
async def upload_photo(request: web.Request) -> RepliesOut:
    desk = area_service(request, DESK)
    settings = desk.core
    user_id = proven_visitor(request)
    if not request.content_type.startswith("multipart/"):
        raise ApiError(400, "multipart_required", "send multipart/form-data with the file")
    if not await in_after_sales(desk, user_id):
        raise ApiError(403, "not_in_after_sales", "photos are accepted during an after-sales request")
    fields, data = await _read_form(request, settings.after_sales_photo_max_bytes)
    proven_visitor(request, fields.get("user_id"))
    client_msg_id = fields.get("client_msg_id")
    if client_msg_id is not None and not CLIENT_MSG_ID.fullmatch(client_msg_id):
        raise ApiError(400, "invalid_client_msg_id", "client_msg_id must be 1-64 letters, digits, - or _")
    ext = await asyncio.to_thread(image_type, data)
    if ext is None:
        raise ApiError(415, "not_an_image", "the file must be a JPEG, PNG, GIF or WebP image")
    name = f"{hashlib.sha256(data).hexdigest()}.{ext}"
    path = settings.after_sales_upload_dir / name
    if not path.exists():
        await _admit_new_photo(desk, user_id, len(data))
        await asyncio.to_thread(_write, path, data)
    inbound = Inbound(channel="webchat", user_id=user_id, kind="image", media_url=f"{UPLOAD_PATH}/{name}",
                      source_id=f"{user_id}:{client_msg_id or 'photo-' + name[:16]}", received_at=desk.clock.now())
    replies = await desk.redispatcher.answer(inbound)
    return RepliesOut(replies=list(replies or ()))


async def _admit_new_photo(desk: Desk, user_id: str, size: int) -> None:
    """The visitor's daily count (an atomic counter in the store) and the directory's quota."""
    settings, store = desk.core, desk.store
    day = desk.clock.now().strftime("%Y%m%d")
    if await store.incr(store.keys("photo-count", user_id, day), ttl=86400) > settings.after_sales_photos_per_visitor:
        raise ApiError(429, "too_many_photos", "too many photos today")
    used = await asyncio.to_thread(directory_bytes, settings.after_sales_upload_dir)
    if used + size > settings.after_sales_upload_quota_bytes:
        log.error("photo upload refused: the upload directory is at its quota (%d bytes)", used)
        raise ApiError(507, "storage_full", "photo storage is full")


def directory_bytes(directory: Path) -> int:
    if not directory.exists():
        return 0
    return sum(entry.stat().st_size for entry in directory.iterdir() if entry.is_file())


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".part")
    partial.write_bytes(data)
    partial.replace(path)


async def remove_expired_photos(desk: Desk) -> int:
    """Retention (daily job): a photo attached to no case goes after `ORPHAN_DAYS`, one whose cases
    are all closed after `AFTER_SALES_PHOTO_RETENTION_DAYS`; one on an open case stays."""
    settings = desk.core
    directory = settings.after_sales_upload_dir
    now = desk.clock.time()
    files = await asyncio.to_thread(_photo_ages, directory, now)
    removed = 0
    for name, age_days in files:
        if age_days < ORPHAN_DAYS:
            continue
        states = await CasePhoto.filter(url=f"{UPLOAD_PATH}/{name}").values_list("case__state", flat=True)
        if any(state in OPEN_STATES for state in states):
            continue
        if states and age_days < settings.after_sales_photo_retention_days:
            continue
        with contextlib.suppress(FileNotFoundError):
            await asyncio.to_thread((directory / name).unlink)
        removed += 1
    return removed


def _photo_ages(directory: Path, now: float) -> list[tuple[str, float]]:
    if not directory.exists():
        return []
    return [(entry.name, (now - entry.stat().st_mtime) / 86400) for entry in directory.iterdir()
            if NAME.fullmatch(entry.name)]


@require()
async def get_photo(request: web.Request) -> web.StreamResponse:
    name = request.match_info["name"]
    path = area_service(request, DESK).core.after_sales_upload_dir / name
    if not NAME.fullmatch(name) or not path.exists():
        raise ApiError(404, "no_such_photo", "no such photo")
    return web.FileResponse(path, headers={"Content-Type": CONTENT_TYPES[name.rsplit(".", 1)[1]],
                                           "X-Content-Type-Options": "nosniff"})


#: Error codes of the uploads (labelled in scripts_zh/labels.yaml).
ERRORS = ("photo_too_large", "multipart_required", "not_in_after_sales", "invalid_client_msg_id", "not_an_image",
          "too_many_photos", "storage_full", "no_such_photo")
ENDPOINTS = [upload_photo]
ROUTES = [web.get(UPLOAD_PATH + "/{name}", get_photo)]  # an image, not JSON
