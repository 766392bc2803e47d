"""The card image (PNG): a QR code of the share link and, when the shop is on WeChat, a QR code of
the Official Account that names the card, side by side, with the card's code underneath.

The image carries no Chinese text: Pillow's built-in font has no Chinese glyphs, and the words that
go with a card (what it is, the 朋友圈 copy) are sent beside it from the templates anyway.
Rendering takes a few milliseconds of CPU, so callers run it in a thread, which is also where qrcode
and Pillow are imported, on the first card: not by every process that starts the bot
(docs/performance.md, "Start-up, issues 11 and 13").
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PIL import Image

BOX = 8  # pixels per QR module: about 300 px for a share link, sharp on a phone
MARGIN = 24
CAPTION_PX = 22


def qr_image(content: str) -> Image.Image:
    import qrcode
    from qrcode.constants import ERROR_CORRECT_M

    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=BOX, border=2)
    code.add_data(content)
    code.make(fit=True)
    return code.make_image(fill_color="black", back_color="white").get_image().convert("RGB")


def card_png(link: str, follow_url: str | None, caption: str) -> bytes:
    from PIL import Image, ImageDraw, ImageFont

    codes = [qr_image(link)] + ([qr_image(follow_url)] if follow_url else [])
    width = sum(code.width for code in codes) + MARGIN * (len(codes) + 1)
    height = max(code.height for code in codes) + MARGIN * 3 + CAPTION_PX
    card = Image.new("RGB", (width, height), "white")
    x = MARGIN
    for code in codes:
        card.paste(code, (x, MARGIN))
        x += code.width + MARGIN
    font = ImageFont.load_default(size=CAPTION_PX)
    ImageDraw.Draw(card).text((width // 2, height - MARGIN - CAPTION_PX // 2), caption, fill="black", font=font,
                              anchor="mm")
    return to_png(card)


def qr_png(content: str) -> bytes:
    return to_png(qr_image(content))


def to_png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()
