"""Email builders of group visits (Rombongan), rendered at send time in the requester's language.

One template set (``emails/group_visit*``) for every kind: the builder chooses the words.
A builder returns None when the email lost its purpose (e.g. approved, then cancelled before
the email went out).
"""

from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from jaklitera.mail import email_builder, email_render

from .group_pdf import group_confirmation_pdf
from .models import GroupVisit, GroupVisitEvent
from .qr import qr_png


def _group_visit(row) -> GroupVisit | None:
    return (
        GroupVisit.objects.select_related("session", "requester").filter(pk=row.context.get("group_visit_id")).first()
    )


def _session_text(session) -> str:
    start = timezone.localtime(session.starts_at)
    end = timezone.localtime(session.ends_at)
    return f"{formats.date_format(session.date, 'l, j F Y')}, {start:%H.%M}–{end:%H.%M} WIB"


def _facts(group_visit: GroupVisit) -> list[tuple[str, str]]:
    facts = [
        (_("Rombongan"), group_visit.institution_name),
        (_("Sesi"), _session_text(group_visit.session)),
        (_("Jumlah peserta"), str(group_visit.participants)),
    ]
    if group_visit.code:
        facts.append((_("Kode rombongan"), group_visit.code_display))
    return facts


def _render(row, group_visit: GroupVisit, *, subject: str, paragraphs: list[str]):
    return email_render(
        template="group_visit",
        to=row.to,
        context={
            "group_visit": group_visit,
            "subject": subject,
            "paragraphs": paragraphs,
            "facts": _facts(group_visit),
            "link_path": reverse("visits:group_detail", args=[group_visit.pk]),
            "link_text": _("Lihat di Rombongan Saya"),
        },
    )


@email_builder("group_received")
def build_received(row):
    group_visit = _group_visit(row)
    if group_visit is None or group_visit.status != GroupVisit.Status.PENDING:
        return None
    deadline = timezone.localtime(group_visit.decide_by)
    return _render(
        row,
        group_visit,
        subject=_("Permohonan kunjungan rombongan diterima: menunggu persetujuan"),
        paragraphs=[
            _(
                "Permohonan kunjungan rombongan Anda kami terima. Tempat untuk seluruh peserta sudah kami "
                "tahan di sesi pilihan Anda sambil menunggu persetujuan petugas."
            ),
            _("Keputusan paling lambat %(date)s pukul %(time)s WIB; jika tidak, permohonan kedaluwarsa.")
            % {"date": formats.date_format(deadline.date(), "j F Y"), "time": f"{deadline:%H.%M}"},
        ],
    )


@email_builder("group_approved")
def build_approved(row):
    group_visit = _group_visit(row)
    if group_visit is None or not group_visit.is_confirmed:
        return None
    message = _render(
        row,
        group_visit,
        subject=_("Kunjungan rombongan disetujui: kode %(code)s") % {"code": group_visit.code_display},
        paragraphs=[
            _("Permohonan kunjungan rombongan Anda DISETUJUI."),
            _(
                "Surat konfirmasi (PDF) dan kode QR terlampir. Tunjukkan kode QR atau sebutkan kode rombongan "
                "kepada petugas saat tiba; penanggung jawab melakukan check-in untuk seluruh rombongan."
            ),
        ],
    )
    message.attach(f"konfirmasi-rombongan-{group_visit.code}.pdf", group_confirmation_pdf(group_visit=group_visit))
    message.attach(f"qr-{group_visit.code}.png", qr_png(group_visit.code, box_size=8), "image/png")
    return message


@email_builder("group_rejected")
def build_rejected(row):
    group_visit = _group_visit(row)
    if group_visit is None or group_visit.status != GroupVisit.Status.REJECTED:
        return None
    return _render(
        row,
        group_visit,
        subject=_("Permohonan kunjungan rombongan ditolak"),
        paragraphs=[
            _("Mohon maaf, permohonan kunjungan rombongan Anda ditolak. Tempat yang ditahan sudah dilepas."),
            _("Alasan: %(reason)s") % {"reason": group_visit.reject_reason},
        ],
    )


@email_builder("group_moved")
def build_moved(row):
    group_visit = _group_visit(row)
    if group_visit is None or group_visit.status not in (GroupVisit.Status.PENDING, GroupVisit.Status.APPROVED):
        return None
    return _render(
        row,
        group_visit,
        subject=_("Kunjungan rombongan dipindah ke sesi lain"),
        paragraphs=[
            _("Petugas memindahkan kunjungan rombongan Anda ke sesi %(session)s. Tempat untuk seluruh peserta ada.")
            % {"session": _session_text(group_visit.session)},
        ],
    )


@email_builder("group_expired")
def build_expired(row):
    group_visit = _group_visit(row)
    if group_visit is None or group_visit.status != GroupVisit.Status.EXPIRED:
        return None
    return _render(
        row,
        group_visit,
        subject=_("Permohonan kunjungan rombongan kedaluwarsa"),
        paragraphs=[
            _(
                "Mohon maaf, permohonan kunjungan rombongan Anda belum diputuskan dalam batas waktu, sehingga "
                "kedaluwarsa dan tempat yang ditahan sudah dilepas. Silakan ajukan kembali untuk sesi lain."
            ),
        ],
    )


@email_builder("group_cancelled")
def build_cancelled(row):
    group_visit = _group_visit(row)
    if group_visit is None or group_visit.status != GroupVisit.Status.CANCELLED:
        return None
    return _render(
        row,
        group_visit,
        subject=_("Kunjungan rombongan dibatalkan"),
        paragraphs=[
            _("Mohon maaf, sesi ini ditutup oleh perpustakaan; kunjungan rombongan Anda dibatalkan.")
            if group_visit.events.filter(action=GroupVisitEvent.Action.CLOSED).exists()
            else _("Kunjungan rombongan ini dibatalkan dan tempatnya sudah dikembalikan.")
        ],
    )
