"""Email builders of the visits app (see jaklitera/mail.py): rendered at send time."""

from django.urls import reverse

from jaklitera.mail import email_builder, email_render

from .ics import reservation_ics
from .models import Reservation
from .qr import qr_png


def _reservation(row) -> Reservation | None:
    return (
        Reservation.objects.select_related("session", "user", "rescheduled_from")
        .prefetch_related("children")
        .filter(pk=row.context.get("reservation_id"))
        .first()
    )


def _context(reservation: Reservation) -> dict:
    return {
        "reservation": reservation,
        "session": reservation.session,
        "children": list(reservation.children.all()),
        "detail_path": reverse("visits:reservation_detail", args=[reservation.code]),
        "my_visits_path": reverse("visits:my_visits"),
    }


def _with_attachments(message, reservation: Reservation):
    message.attach(f"reservasi-{reservation.code}.ics", reservation_ics(reservation), "text/calendar")
    message.attach(f"qr-{reservation.code}.png", qr_png(reservation.code, box_size=8), "image/png")
    return message


@email_builder("visit_confirmed")
def build_confirmed(row):
    reservation = _reservation(row)
    if reservation is None or not reservation.is_active:
        return None  # cancelled before the email went out: nothing to confirm
    message = email_render(template="visit_confirmed", to=row.to, context=_context(reservation))
    return _with_attachments(message, reservation)


@email_builder("visit_reminder")
def build_reminder(row):
    reservation = _reservation(row)
    if reservation is None or not reservation.is_active:
        return None
    message = email_render(template="visit_reminder", to=row.to, context=_context(reservation))
    return _with_attachments(message, reservation)


@email_builder("visit_cancelled")
def build_cancelled(row):
    reservation = _reservation(row)
    if reservation is None:
        return None
    return email_render(
        template="visit_cancelled",
        to=row.to,
        context={**_context(reservation), "schedule_path": reverse("visits:availability")},
    )
