"""The .ics calendar attachment of a reservation (icalendar)."""

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

LOCATION = "Perpustakaan Jakarta, Taman Ismail Marzuki, Jl. Cikini Raya No. 73, Jakarta Pusat"


def reservation_ics(reservation) -> bytes:
    session = reservation.session
    calendar = Calendar()
    calendar.add("prodid", "-//Jaklitera//Perpustakaan Jakarta//ID")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = Event()
    event.add("uid", f"{reservation.code}@jaklitera")
    event.add("dtstamp", timezone.now())
    event.add("dtstart", timezone.localtime(session.starts_at))
    event.add("dtend", timezone.localtime(session.ends_at))
    event.add("summary", _("Kunjungan Perpustakaan Jakarta (%(code)s)") % {"code": reservation.code_display})
    event.add("location", LOCATION)
    event.add(
        "description",
        _("Kode reservasi: %(code)s. Tunjukkan kode QR di email atau di Kunjungan Saya. Batas check-in %(time)s WIB.")
        % {"code": reservation.code_display, "time": timezone.localtime(session.last_checkin_at).strftime("%H.%M")},
    )
    event.add("url", f"{settings.SITE_URL}/kunjungan-saya/{reservation.code}/")
    calendar.add_component(event)
    return calendar.to_ical()
