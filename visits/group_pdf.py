"""The confirmation letter of an approved group visit (PDF, A4, real searchable text).

Made on demand from the database (never stored): the email attachment and the download on
the group's page are the same document. Fonts as for the member card (DejaVu when installed).
"""

import io

from django.http import HttpResponse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from members.services.card import _pdf_fonts

from .ics import LOCATION
from .models import GroupVisit
from .qr import qr_png

GREEN = (11 / 255, 93 / 255, 75 / 255)
GOLD = (232 / 255, 195 / 255, 90 / 255)
INK = (29 / 255, 38 / 255, 35 / 255)
MUTED = (86 / 255, 97 / 255, 93 / 255)


def _wib(value) -> str:
    return f"{timezone.localtime(value):%H.%M} WIB"


def group_confirmation_pdf(*, group_visit: GroupVisit) -> bytes:
    """One A4 page: library, group, date, session, participants, group code and its QR."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    session = group_visit.session
    width, height = A4
    regular, bold = _pdf_fonts()
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=A4, pageCompression=1)
    pdf.setTitle(_("Surat Konfirmasi Kunjungan Rombongan %(code)s") % {"code": group_visit.code_display})
    pdf.setAuthor(_("Perpustakaan Jakarta"))
    left = 20 * mm
    # Letterhead
    pdf.setFillColorRGB(*GREEN)
    pdf.rect(0, height - 32 * mm, width, 32 * mm, stroke=0, fill=1)
    pdf.setFillColorRGB(*GOLD)
    pdf.rect(0, height - 34 * mm, width, 2 * mm, stroke=0, fill=1)
    pdf.setFillColorRGB(1, 1, 1)
    pdf.setFont(bold, 20)
    pdf.drawString(left, height - 16 * mm, _("Perpustakaan Jakarta"))
    pdf.setFont(regular, 10)
    pdf.drawString(left, height - 24 * mm, LOCATION)
    # Title
    y = height - 50 * mm
    pdf.setFillColorRGB(*INK)
    pdf.setFont(bold, 15)
    pdf.drawString(left, y, _("SURAT KONFIRMASI KUNJUNGAN ROMBONGAN"))
    y -= 8 * mm
    pdf.setFont(regular, 10)
    pdf.setFillColorRGB(*MUTED)
    issued = formats.date_format(timezone.localdate(group_visit.decided_at or timezone.now()), "j F Y")
    pdf.drawString(left, y, _("Jakarta, %(date)s") % {"date": issued})
    y -= 12 * mm
    pdf.setFillColorRGB(*INK)
    pdf.setFont(regular, 11)
    for line in (
        _("Dengan hormat,"),
        _("Permohonan kunjungan rombongan berikut telah DISETUJUI oleh Perpustakaan Jakarta:"),
    ):
        pdf.drawString(left, y, line)
        y -= 7 * mm
    y -= 3 * mm
    rows = [
        (_("Rombongan"), group_visit.institution_name),
        (_("Jenis instansi"), str(group_visit.get_institution_type_display())),
        (_("Penanggung jawab"), f"{group_visit.contact_name} ({group_visit.contact_phone})"),
        (_("Tanggal"), formats.date_format(session.date, "l, j F Y")),
        (_("Sesi"), f"{_wib(session.starts_at)[:5]}–{_wib(session.ends_at)}"),
        (_("Batas check-in"), _wib(session.last_checkin_at)),
        (
            _("Jumlah peserta"),
            _("%(n)d orang (termasuk %(children)d anak)")
            % {"n": group_visit.participants, "children": group_visit.children},
        ),
        (_("Kode rombongan"), group_visit.code_display),
    ]
    for label, value in rows:
        pdf.setFont(regular, 10)
        pdf.setFillColorRGB(*MUTED)
        pdf.drawString(left, y, label)
        pdf.setFont(bold, 11)
        pdf.setFillColorRGB(*INK)
        for part in _wrap(pdf, value, bold, 11, width - left - 45 * mm - 20 * mm):
            pdf.drawString(left + 45 * mm, y, part)
            y -= 5.5 * mm
        y -= 2.5 * mm
    # QR of the group code, right under the table
    qr_side = 42 * mm
    y -= 4 * mm
    pdf.drawImage(ImageReader(io.BytesIO(qr_png(group_visit.code, box_size=8))), left, y - qr_side, qr_side, qr_side)
    pdf.setFont(regular, 10)
    text_x = left + qr_side + 8 * mm
    notes = [
        _("Tunjukkan kode QR ini atau sebutkan kode rombongan kepada petugas saat tiba."),
        _("Penanggung jawab melakukan check-in untuk seluruh rombongan."),
        _("Jika peserta yang datang lebih sedikit, tempat sisanya dilepas untuk pengunjung lain."),
        _("Pembatalan paling lambat sehari sebelum kunjungan, di halaman Rombongan Saya."),
    ]
    ny = y - 6 * mm
    for note in notes:
        for part in _wrap(pdf, note, regular, 10, width - text_x - 20 * mm):
            pdf.drawString(text_x, ny, part)
            ny -= 5.5 * mm
        ny -= 2 * mm
    pdf.setFont(regular, 9)
    pdf.setFillColorRGB(*MUTED)
    pdf.drawString(left, 20 * mm, _("Surat ini dibuat otomatis oleh Jaklitera dan sah tanpa tanda tangan."))
    pdf.showPage()
    pdf.save()
    return out.getvalue()


def _wrap(pdf, text: str, font: str, size: float, max_width: float) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        if lines and pdf.stringWidth(f"{lines[-1]} {word}", font, size) <= max_width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines


def group_confirmation_response(*, group_visit: GroupVisit) -> HttpResponse:
    """The confirmation letter as a download, never cached (staff admin and the requester)."""
    response = HttpResponse(group_confirmation_pdf(group_visit=group_visit), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="konfirmasi-rombongan-{group_visit.code}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response
