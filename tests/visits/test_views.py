"""The pages and the JSON endpoint through HTTP."""

import datetime
import uuid

import pytest
from django.urls import reverse

from tests.factories import UnconfirmedUserFactory, UserFactory
from visits import services
from visits.models import Closure, Reservation, Session
from visits.services import Child

from .conftest import MONDAY, session_at

pytestmark = pytest.mark.django_db

TUESDAY = MONDAY + datetime.timedelta(days=1)


def book(user, session, children=()):
    return services.reservation_create(user=user, session_id=session.pk, children=children, acknowledged=True)


def form_data(**extra):
    return {"token": str(uuid.uuid4()), "acknowledge": "on", **extra}


def test_availability_shows_the_week_with_places_left(client, week, anggota):
    book(anggota, session_at(TUESDAY, 9), [Child("Dewi", 7), Child("Eka", 9)])
    Session.objects.filter(pk=session_at(TUESDAY, 13).pk).update(capacity=5, booked=5)
    Closure.objects.create(date=MONDAY + datetime.timedelta(days=3), reason="Libur Nasional")
    html = client.get(reverse("visits:availability")).content.decode()
    assert "Sisa 297 dari 300" in html
    assert "Penuh" in html
    assert "Libur Nasional" in html
    assert "Senin, 8 Juni 2026" in html and "Minggu, 14 Juni 2026" in html
    assert "09.00–13.00 WIB" in html
    # A full session has no booking button.
    assert reverse("visits:reservation_create", args=[session_at(TUESDAY, 13).pk]) not in html
    assert reverse("visits:reservation_create", args=[session_at(TUESDAY, 9).pk]) in html


def test_availability_marks_my_own_booking(client, week, anggota):
    book(anggota, session_at(TUESDAY, 9))
    client.force_login(anggota)
    html = client.get(reverse("visits:availability")).content.decode()
    assert "Sudah dipesan" in html


def test_availability_query_count_does_not_grow_with_reservations(
    client, week, anggota, django_assert_max_num_queries, django_assert_num_queries
):
    client.force_login(anggota)
    with django_assert_num_queries(6) as baseline:
        client.get(reverse("visits:availability"))
    for session in Session.objects.all():
        for _ in range(3):
            services.reservation_create(
                user=UserFactory(),
                session_id=session.pk,
                children=[Child("A", 5)],
                acknowledged=True,
            )
    book(anggota, session_at(TUESDAY, 9))
    assert Reservation.objects.count() == 14 * 3 + 1
    with django_assert_max_num_queries(len(baseline.captured_queries)):
        response = client.get(reverse("visits:availability"))
    assert response.status_code == 200


def test_anonymous_must_log_in_to_book(client, week):
    url = reverse("visits:reservation_create", args=[session_at(TUESDAY, 9).pk])
    response = client.get(url)
    assert response.status_code == 302 and "/masuk/" in response["Location"]


def test_booking_form_shows_rules_and_category(client, week, non_anggota):
    client.force_login(non_anggota)
    html = client.get(reverse("visits:reservation_create", args=[session_at(TUESDAY, 9).pk])).content.decode()
    assert "Tata tertib" in html and "Protokol kesehatan" in html
    assert "Non Anggota" in html
    assert 'name="child_4_name"' in html and 'name="child_5_name"' not in html
    assert 'for="id_acknowledge"' in html


def test_booking_creates_and_redirects_to_the_code_and_qr(client, week, anggota):
    client.force_login(anggota)
    session = session_at(TUESDAY, 9)
    response = client.post(
        reverse("visits:reservation_create", args=[session.pk]),
        form_data(child_1_name="Dewi", child_1_age="7"),
    )
    reservation = Reservation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("visits:reservation_detail", args=[reservation.code])
    html = client.get(response["Location"]).content.decode()
    assert reservation.code_display in html
    assert reverse("visits:reservation_qr", args=[reservation.code, "svg"]) in html
    assert "Dewi" in html and "Anggota" in html
    assert Session.objects.get(pk=session.pk).booked == 2


def test_double_submit_makes_one_reservation(client, week, anggota):
    client.force_login(anggota)
    url = reverse("visits:reservation_create", args=[session_at(TUESDAY, 9).pk])
    data = form_data()
    first = client.post(url, data)
    second = client.post(url, data)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Reservation.objects.count() == 1


def test_acknowledgement_and_child_fields_are_checked(client, week, anggota):
    client.force_login(anggota)
    url = reverse("visits:reservation_create", args=[session_at(TUESDAY, 9).pk])
    response = client.post(url, {"token": str(uuid.uuid4()), "child_1_name": "Dewi"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "Anda perlu menyetujui tata tertib dan protokol kesehatan." in html
    assert "Isi umur anak ini." in html
    assert not Reservation.objects.exists()


def test_full_session_form_says_penuh(client, week, anggota):
    session = session_at(TUESDAY, 9)
    Session.objects.filter(pk=session.pk).update(capacity=3, booked=3)
    client.force_login(anggota)
    html = client.get(reverse("visits:reservation_create", args=[session.pk])).content.decode()
    assert "Sesi ini sudah penuh" in html
    assert "Pesan Sekarang" not in html
    response = client.post(reverse("visits:reservation_create", args=[session.pk]), form_data())
    assert response.status_code == 409
    assert "Sesi ini sudah penuh" in response.content.decode()


def test_rule_messages_reach_the_page(client, week, anggota):
    client.force_login(anggota)
    session = session_at(TUESDAY, 9)
    book(anggota, session)
    response = client.post(reverse("visits:reservation_create", args=[session.pk]), form_data())
    assert response.status_code == 409
    assert "Anda sudah memesan sesi ini" in response.content.decode()


def test_busy_is_a_polite_503(client, week, anggota, monkeypatch):
    from visits.errors import VisitsBusy

    def busy(**kwargs):
        raise VisitsBusy()

    monkeypatch.setattr(services, "reservation_create", busy)
    client.force_login(anggota)
    response = client.post(reverse("visits:reservation_create", args=[session_at(TUESDAY, 9).pk]), form_data())
    assert response.status_code == 503
    assert response["Retry-After"]
    assert "Sedang ramai, silakan coba lagi" in response.content.decode()


def test_unconfirmed_account_is_told_to_confirm(client, week):
    user = UnconfirmedUserFactory(is_active=True)
    client.force_login(user)
    html = client.get(reverse("visits:reservation_create", args=[session_at(TUESDAY, 9).pk])).content.decode()
    assert "Konfirmasi email Anda terlebih dahulu" in html
    assert "Pesan Sekarang" not in html


def test_qr_png_and_svg_for_the_owner_only(client, week, anggota, non_anggota):
    reservation = book(anggota, session_at(TUESDAY, 9))
    client.force_login(anggota)
    png = client.get(reverse("visits:reservation_qr", args=[reservation.code, "png"]))
    svg = client.get(reverse("visits:reservation_qr", args=[reservation.code, "svg"]))
    assert png["Content-Type"] == "image/png" and png.content.startswith(b"\x89PNG")
    assert svg["Content-Type"] == "image/svg+xml" and b"<svg" in svg.content
    client.force_login(non_anggota)
    assert client.get(reverse("visits:reservation_qr", args=[reservation.code, "png"])).status_code == 404
    assert client.get(reverse("visits:reservation_detail", args=[reservation.code])).status_code == 404


def test_my_visits_lists_upcoming_and_history(client, week, anggota, django_assert_max_num_queries):
    upcoming = book(anggota, session_at(TUESDAY, 9))
    cancelled = book(anggota, session_at(TUESDAY, 13))
    services.reservation_cancel(reservation_id=cancelled.pk, user=anggota)
    client.force_login(anggota)
    with django_assert_max_num_queries(6):
        html = client.get(reverse("visits:my_visits")).content.decode()
    assert upcoming.code_display in html and cancelled.code_display in html
    assert "Dibatalkan pengunjung" in html


def test_cancel_confirm_then_cancel(client, week, anggota):
    reservation = book(anggota, session_at(TUESDAY, 9))
    client.force_login(anggota)
    url = reverse("visits:reservation_cancel", args=[reservation.code])
    assert "Ya, batalkan" in client.get(url).content.decode()
    response = client.post(url)
    assert response.status_code == 302 and response["Location"] == reverse("visits:my_visits")
    reservation.refresh_from_db()
    assert reservation.status == Reservation.Status.CANCELLED
    assert client.post(url).status_code == 409


def test_detail_offers_changes_only_until_the_session_starts(client, week, frozen, anggota):
    reservation = book(anggota, session_at(MONDAY, 9))
    client.force_login(anggota)
    url = reverse("visits:reservation_detail", args=[reservation.code])
    assert "Ubah jadwal" in client.get(url).content.decode()
    frozen.move_to(reservation.session.starts_at + datetime.timedelta(minutes=1))
    html = client.get(url).content.decode()
    assert "Ubah jadwal" not in html and "Batalkan" not in html  # the service would refuse both


def test_reschedule_page_moves_the_reservation(client, week, anggota):
    reservation = book(anggota, session_at(TUESDAY, 9))
    target = session_at(TUESDAY, 13)
    client.force_login(anggota)
    url = reverse("visits:reservation_reschedule", args=[reservation.code])
    assert "Pindah ke sesi ini" in client.get(url).content.decode()
    response = client.post(url, {"session": target.pk})
    new = Reservation.objects.get(status=Reservation.Status.ACTIVE)
    assert response["Location"] == reverse("visits:reservation_detail", args=[new.code])
    assert new.session_id == target.pk


def test_reschedule_to_full_session_shows_the_message(client, week, anggota):
    reservation = book(anggota, session_at(TUESDAY, 9))
    target = session_at(TUESDAY, 13)
    Session.objects.filter(pk=target.pk).update(capacity=2, booked=2)
    client.force_login(anggota)
    response = client.post(reverse("visits:reservation_reschedule", args=[reservation.code]), {"session": target.pk})
    assert response.status_code == 409
    assert "Sesi ini sudah penuh" in response.content.decode()
    reservation.refresh_from_db()
    assert reservation.is_active


def test_sessions_api(client, week, anggota, django_assert_max_num_queries):
    book(anggota, session_at(TUESDAY, 9), [Child("Dewi", 7)])
    with django_assert_max_num_queries(1):
        response = client.get(reverse("visits:sessions_api"), {"date": "2026-06-09"})
    assert response.status_code == 200
    assert "max-age=5" in response["Cache-Control"] and "public" in response["Cache-Control"]
    data = response.json()
    assert data["date"] == "2026-06-09"
    first = data["sessions"][0]
    assert first["start"] == "2026-06-09T09:00:00+07:00"
    assert first["end"] == "2026-06-09T13:00:00+07:00"
    assert (first["capacity"], first["places_left"], first["status"]) == (300, 298, "open")
    # Cached a few seconds: a second call does not touch the database.
    with django_assert_max_num_queries(0):
        client.get(reverse("visits:sessions_api"), {"date": "2026-06-09"})


def test_sessions_api_rejects_bad_dates_and_writes(client, week):
    assert client.get(reverse("visits:sessions_api"), {"date": "09-06-2026"}).status_code == 400
    assert client.get(reverse("visits:sessions_api")).status_code == 400
    assert client.post(reverse("visits:sessions_api"), {"date": "2026-06-09"}).status_code == 405
    assert client.get(reverse("visits:sessions_api"), {"date": "2026-07-01"}).json()["sessions"] == []


def test_nav_links(client, week, anggota):
    client.force_login(anggota)
    html = client.get("/").content.decode()
    assert "Jadwal Kunjungan" in html and "Kunjungan Saya" in html
