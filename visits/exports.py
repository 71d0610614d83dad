"""The desk's CSV export: UTF-8 with a BOM (Excel then reads names right) and ``;`` between
fields (the list separator of Excel in the Indonesian locale, where ``,`` is the decimal
comma). See docs/operations.md#ekspor."""

import csv
import io
from collections.abc import Iterable

from django.utils import timezone
from django.utils.translation import gettext as _

from .selectors_desk import DeskRow, GroupDeskRow

BOM = "\ufeff"
DELIMITER = ";"
# A cell starting with one of these is a formula to Excel: prefix it so it stays text.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def desk_csv(rows: Iterable[DeskRow | GroupDeskRow]) -> str:
    """Reservations and Rombongan (one line per group: institution, "Rombongan · type", size)."""
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out, delimiter=DELIMITER, lineterminator="\r\n")
    writer.writerow(
        [
            _("Tanggal"),
            _("Sesi"),
            _("Kode reservasi"),
            _("Nama"),
            _("Jenis pengunjung"),
            _("Anak"),
            _("Jumlah orang"),
            _("Nomor anggota"),
            _("Nomor ponsel"),
            _("Status"),
            _("Waktu check-in"),
            _("Walk-in"),
        ]
    )
    for row in rows:
        session = row.session
        start = timezone.localtime(session.starts_at)
        end = timezone.localtime(session.ends_at)
        checked_in = timezone.localtime(row.checked_in_at) if row.checked_in_at else None
        kind = row.visitor_type if row.is_group else row.reservation.get_category_display()
        writer.writerow(
            [
                _cell(f"{session.date:%Y-%m-%d}"),
                _cell(f"{start:%H.%M}–{end:%H.%M}"),
                _cell(row.code),
                _cell(row.name),
                _cell(kind),
                row.children,
                row.party_size,
                _cell(row.member_number),
                _cell(row.phone),
                _cell(row.status_label),
                _cell(f"{checked_in:%H.%M}" if checked_in else ""),
                _("ya") if row.is_walk_in else "",
            ]
        )
    return out.getvalue()
