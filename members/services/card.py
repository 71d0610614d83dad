"""The digital member card of a verified member: data for the page, a QR code, PNG and PDF.

The card is the member's identity at the library desk: the QR code holds only the member
number (nothing else about the person), which the desk looks up.
Sizes follow the ID-1 card (85.6 × 54 mm, like a KTP): the PNG is 300 dpi, the PDF page is
exactly card size, so "actual size" printing gives a real card.
"""

import base64
import io
import logging
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import qrcode
import qrcode.image.svg
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from PIL import Image, ImageDraw, ImageFont, ImageOps

from jaklitera.errors import ApplicationError

from ..models import Document, Member

logger = logging.getLogger(__name__)

CARD_MM = (85.6, 54.0)
DPI = 300
CARD_PX = (round(CARD_MM[0] / 25.4 * DPI), round(CARD_MM[1] / 25.4 * DPI))  # 1011 × 638
GREEN = (11, 93, 75)
GREEN_DARK = (7, 70, 58)
GOLD = (232, 195, 90)
INK = (29, 38, 35)
MUTED = (86, 97, 93)
FONT_DIRS = [Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu")]


class CardNotAvailable(ApplicationError):
    default_message = gettext_lazy("Kartu anggota tersedia setelah keanggotaan Anda TERVERIFIKASI.")


@dataclass(frozen=True)
class Card:
    name: str
    member_number: str
    valid_from: date
    photo: Document | None


def card_get(*, member: Member | None) -> Card:
    """The card of a verified member. Raises CardNotAvailable otherwise."""
    if member is None or not member.is_verified or not member.member_number:
        raise CardNotAvailable()
    photo = Document.objects.filter(member=member, kind=Document.Kind.PHOTO).first()
    valid_from = timezone.localdate(member.verified_at) if member.verified_at else timezone.localdate()
    return Card(name=member.full_name, member_number=member.member_number, valid_from=valid_from, photo=photo)


def card_qr_data_uri(*, card: Card) -> str:
    """The QR code of the member number as an SVG data: URI (allowed by the site's CSP img-src)."""
    svg = qrcode.make(card.member_number, image_factory=qrcode.image.svg.SvgPathImage, border=2).to_string()
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")


def card_png(*, card: Card) -> bytes:
    """The card as a 300 dpi PNG (1011 × 638 px)."""
    image = _card_image(card)
    out = io.BytesIO()
    image.save(out, "PNG", dpi=(DPI, DPI), optimize=True)
    return out.getvalue()


def card_pdf(*, card: Card) -> bytes:
    """The card as a one-page PDF of exactly ID-1 size, with real (searchable) text."""
    from reportlab.lib.units import mm
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    width, height = CARD_MM[0] * mm, CARD_MM[1] * mm
    regular, bold = _pdf_fonts()
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=(width, height), pageCompression=1)
    pdf.setTitle(_("Kartu Anggota Jaklitera %(number)s") % {"number": card.member_number})
    pdf.setAuthor(_("Perpustakaan Jakarta"))
    # Header band
    pdf.setFillColorRGB(*(c / 255 for c in GREEN))
    pdf.rect(0, height - 11 * mm, width, 11 * mm, stroke=0, fill=1)
    pdf.setFillColorRGB(*(c / 255 for c in GOLD))
    pdf.rect(0, height - 12 * mm, width, 1 * mm, stroke=0, fill=1)
    pdf.setFillColorRGB(1, 1, 1)
    pdf.setFont(bold, 9)
    pdf.drawString(4 * mm, height - 5.5 * mm, "Jaklitera")
    pdf.setFont(regular, 5.5)
    pdf.drawString(4 * mm, height - 8.8 * mm, _("Perpustakaan Jakarta · Taman Ismail Marzuki"))
    pdf.setFont(bold, 6.5)
    pdf.drawRightString(width - 4 * mm, height - 6.8 * mm, _("KARTU ANGGOTA"))
    # Photo
    photo_w, photo_h = 21 * mm, 28 * mm
    photo_x, photo_y = 4 * mm, height - 15 * mm - photo_h
    photo = _photo_image(card, (300, 400))
    pdf.drawImage(ImageReader(photo), photo_x, photo_y, photo_w, photo_h)
    # Text
    text_x = photo_x + photo_w + 3.5 * mm
    pdf.setFillColorRGB(*(c / 255 for c in INK))
    name_size, name_lines = _pdf_name_fit(pdf, card.name, bold, width - text_x - 4 * mm)
    y = height - 18 * mm
    pdf.setFont(bold, name_size)
    for line in name_lines:
        pdf.drawString(text_x, y, line)
        y -= name_size * 0.45 * mm
    y -= 1.5 * mm
    pdf.setFillColorRGB(*(c / 255 for c in MUTED))
    pdf.setFont(regular, 5.5)
    pdf.drawString(text_x, y, _("Nomor anggota"))
    y -= 4.2 * mm
    pdf.setFillColorRGB(*(c / 255 for c in GREEN_DARK))
    pdf.setFont(bold, 10)
    pdf.drawString(text_x, y, card.member_number)
    y -= 4.5 * mm
    pdf.setFillColorRGB(*(c / 255 for c in MUTED))
    pdf.setFont(regular, 5.5)
    pdf.drawString(text_x, y, _("Berlaku sejak"))
    y -= 3.4 * mm
    pdf.setFillColorRGB(*(c / 255 for c in INK))
    pdf.setFont(regular, 7)
    pdf.drawString(text_x, y, _date(card.valid_from))
    # QR
    qr_size = 22 * mm
    pdf.drawImage(ImageReader(_qr_image(card, 400)), width - 4 * mm - qr_size, 4 * mm, qr_size, qr_size)
    pdf.showPage()
    pdf.save()
    return out.getvalue()


# --- Drawing -------------------------------------------------------------------------------------


def _card_image(card: Card) -> Image.Image:
    width, height = CARD_PX
    image = Image.new("RGB", CARD_PX, "white")
    draw = ImageDraw.Draw(image)
    header = 130
    draw.rectangle((0, 0, width, header), fill=GREEN)
    draw.rectangle((0, header, width, header + 12), fill=GOLD)
    draw.text((48, 26), "Jaklitera", font=_font(52, bold=True), fill="white")
    draw.text((48, 88), _("Perpustakaan Jakarta · Taman Ismail Marzuki"), font=_font(26), fill="white")
    label = _("KARTU ANGGOTA")
    label_font = _font(30, bold=True)
    draw.text((width - 48 - draw.textlength(label, font=label_font), 50), label, font=label_font, fill=GOLD)
    # Photo, 3:4
    photo_box = (48, header + 40, 48 + 250, header + 40 + 333)
    image.paste(_photo_image(card, (250, 333)), photo_box[:2])
    draw.rectangle(photo_box, outline=(216, 212, 200), width=2)
    # Text
    x = photo_box[2] + 40
    y = header + 40
    size, lines = _name_fit(draw, card.name, width - x - 40)
    name_font = _font(size, bold=True)
    for line in lines:
        draw.text((x, y), line, font=name_font, fill=INK)
        y += round(size * 1.25)
    y += 20
    draw.text((x, y), _("Nomor anggota"), font=_font(26), fill=MUTED)
    y += 34
    draw.text((x, y), card.member_number, font=_font(46, bold=True), fill=GREEN_DARK)
    y += 74
    draw.text((x, y), _("Berlaku sejak"), font=_font(26), fill=MUTED)
    y += 34
    draw.text((x, y), _date(card.valid_from), font=_font(34), fill=INK)
    # QR, bottom right
    qr_side = 220
    image.paste(_qr_image(card, qr_side), (width - 40 - qr_side, height - 30 - qr_side))
    return image


def _name_fit(draw: ImageDraw.ImageDraw, name: str, max_width: int) -> tuple[int, list[str]]:
    """The largest font size (40 → 26 px) at which the whole name fits in two lines."""
    for size in (40, 36, 32, 29, 26):
        font = _font(size, bold=True)
        lines: list[str] = []
        for word in name.split():
            if lines and draw.textlength(f"{lines[-1]} {word}", font=font) <= max_width:
                lines[-1] = f"{lines[-1]} {word}"
            else:
                lines.append(word)
        if len(lines) <= 2 and all(draw.textlength(line, font=font) <= max_width for line in lines):
            return size, lines
    return 26, [*lines[:1], " ".join(lines[1:])]


def _qr_image(card: Card, side: int) -> Image.Image:
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=2, box_size=10)
    qr.add_data(card.member_number)
    qr.make(fit=True)
    return (
        qr.make_image(fill_color="black", back_color="white")
        .get_image()
        .convert("RGB")
        .resize((side, side), Image.Resampling.NEAREST)
    )


def _photo_image(card: Card, size: tuple[int, int]) -> Image.Image:
    """The member's stored photo cropped to ``size``; a neutral placeholder if it cannot be read."""
    if card.photo is not None:
        try:
            with card.photo.file.open("rb") as handle:
                photo = Image.open(io.BytesIO(handle.read()))
                photo.load()
            return ImageOps.fit(photo.convert("RGB"), size, Image.Resampling.LANCZOS)
        except (OSError, ValueError):
            logger.warning("Member card: photo %s could not be read", card.photo.pk)
    placeholder = Image.new("RGB", size, (238, 235, 226))
    ImageDraw.Draw(placeholder).ellipse(
        (size[0] * 0.3, size[1] * 0.2, size[0] * 0.7, size[1] * 0.5), fill=(200, 196, 185)
    )
    return placeholder


def _font(size: int, *, bold: bool = False) -> ImageFont.FreeTypeFont:
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    for folder in FONT_DIRS:
        if (folder / name).exists():
            return ImageFont.truetype(str(folder / name), size)
    # Pillow's bundled font: always there, so the card renders on any machine.
    return ImageFont.load_default(size=size)


def _pdf_fonts() -> tuple[str, str]:
    """DejaVu (full Unicode) when installed, else the PDF base fonts."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    for folder in FONT_DIRS:
        regular, bold = folder / "DejaVuSans.ttf", folder / "DejaVuSans-Bold.ttf"
        if regular.exists() and bold.exists():
            if "DejaVuSans" not in pdfmetrics.getRegisteredFontNames():
                pdfmetrics.registerFont(TTFont("DejaVuSans", str(regular)))
                pdfmetrics.registerFont(TTFont("DejaVuSans-Bold", str(bold)))
            return "DejaVuSans", "DejaVuSans-Bold"
    return "Helvetica", "Helvetica-Bold"


def _pdf_name_fit(pdf, name: str, font: str, max_width: float) -> tuple[float, list[str]]:
    """As _name_fit, for the PDF: 8 pt down to 5.5 pt, two lines at most."""
    for size in (8, 7, 6.5, 6, 5.5):
        lines: list[str] = []
        for word in name.split():
            if lines and pdf.stringWidth(f"{lines[-1]} {word}", font, size) <= max_width:
                lines[-1] = f"{lines[-1]} {word}"
            else:
                lines.append(word)
        if len(lines) <= 2 and all(pdf.stringWidth(line, font, size) <= max_width for line in lines):
            return size, lines
    return 5.5, [*lines[:1], " ".join(lines[1:])]


def _date(value: date) -> str:
    from django.utils import formats

    return formats.date_format(value, "j F Y")
