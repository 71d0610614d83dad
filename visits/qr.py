"""QR codes of reservation codes, made here (no external service)."""

import io

import qrcode
import qrcode.image.svg
from qrcode.constants import ERROR_CORRECT_M


def _qr(code: str) -> qrcode.QRCode:
    # The QR holds the bare code: what the front desk types when a scanner is not at hand.
    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=10, border=3)
    qr.add_data(code)
    qr.make(fit=True)
    return qr


def qr_png(code: str, *, box_size: int = 10) -> bytes:
    qr = _qr(code)
    qr.box_size = box_size
    buffer = io.BytesIO()
    qr.make_image(fill_color="black", back_color="white").save(buffer, format="PNG")
    return buffer.getvalue()


def qr_svg(code: str) -> bytes:
    buffer = io.BytesIO()
    _qr(code).make_image(image_factory=qrcode.image.svg.SvgPathFillImage).save(buffer)
    return buffer.getvalue()
