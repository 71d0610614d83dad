"""The rush pages rendered once and shared (jaklitera/pagecache.py): the same page for
every visitor who should see the same thing, their own CSRF token in each copy, and
never a shared copy for whoever sees something else (staff menu, a message, a language)."""

import re
import uuid

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.test.signals import template_rendered
from django.urls import reverse

from jaklitera.roles import PETUGAS_LAYANAN, roles_sync
from tests.factories import UserFactory
from visits.models import Session

from .conftest import MONDAY, session_at

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture
def renders():
    """The templates rendered, request by request."""
    names = []

    def record(sender, template, **kwargs):
        names.append(template.name)

    template_rendered.connect(record)
    yield names
    template_rendered.disconnect(record)


def signed_in(user=None) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user or UserFactory())
    return client


def without_tokens(html: str) -> str:
    return TOKEN.sub("", html)


@pytest.mark.django_db
def test_availability_is_rendered_once_for_visitors_who_see_the_same_page(week, renders):
    first = signed_in().get(reverse("visits:availability"))
    assert "visits/availability.html" in renders
    renders.clear()
    second = signed_in().get(reverse("visits:availability"))
    assert renders == []  # served from this process's copy
    a, b = first.content.decode(), second.content.decode()
    assert without_tokens(a) == without_tokens(b)
    assert "Keluar" in b and "Jadwal Kunjungan" in b


@pytest.mark.django_db
def test_each_shared_copy_carries_a_token_that_works_for_its_own_visitor(week):
    first, second = signed_in(), signed_in()
    first.get(reverse("visits:availability"))  # renders and keeps the page
    html = second.get(reverse("visits:availability")).content.decode()
    tokens = set(TOKEN.findall(html))
    assert len(tokens) == 1  # the Keluar and the Bahasa forms, one fresh token
    response = second.post(reverse("members:logout"), {"csrfmiddlewaretoken": tokens.pop()})
    assert response.status_code == 302
    assert second.post(reverse("members:logout"), {"csrfmiddlewaretoken": "x" * 64}).status_code == 403


@pytest.mark.django_db
def test_a_visitor_with_different_bookings_gets_their_own_page(week, renders):
    from visits import services

    session = session_at(MONDAY, 13)
    booker = UserFactory()
    services.reservation_create(user=booker, session_id=session.pk, acknowledged=True)
    signed_in().get(reverse("visits:availability"))
    renders.clear()
    html = signed_in(booker).get(reverse("visits:availability")).content.decode()
    assert "visits/availability.html" in renders
    assert "Sudah dipesan" in html


@pytest.mark.django_db
def test_staff_get_their_menu_not_the_shared_page(week):
    roles_sync()
    staff = UserFactory(is_staff=True)
    staff.groups.add(Group.objects.get(name=PETUGAS_LAYANAN))
    signed_in().get(reverse("visits:availability"))
    html = signed_in(staff).get(reverse("visits:availability")).content.decode()
    assert "Daftar Kunjungan" in html


@pytest.mark.django_db
def test_signed_out_visitors_and_english_readers_get_their_own_page(week):
    signed_in().get(reverse("visits:availability"))
    anonymous = Client().get(reverse("visits:availability")).content.decode()
    assert "Masuk atau daftar dulu" in anonymous and "Keluar" not in anonymous
    english = signed_in()
    english.cookies["django_language"] = "en"
    html = english.get(reverse("visits:availability")).content.decode()
    assert 'lang="en"' in html and "Visit Schedule" in html


def csrf_secret(client: Client) -> str:
    if "csrftoken" not in client.cookies:
        client.get(reverse("visits:availability"))
    return client.cookies["csrftoken"].value


@pytest.mark.django_db
def test_a_waiting_message_is_shown_and_not_shared(week):
    from visits import services

    user = UserFactory()
    reservation = services.reservation_create(user=user, session_id=session_at(MONDAY, 13).pk, acknowledged=True)
    signed_in().get(reverse("visits:availability"))  # the shared copy for visitors with no booking
    visitor = signed_in(user)
    cancelled = visitor.post(
        reverse("visits:reservation_cancel", args=[reservation.code]), {"csrfmiddlewaretoken": csrf_secret(visitor)}
    )
    assert cancelled.status_code == 302  # "… dibatalkan" waits for the next page
    # No booking left: the same page as the shared copy, but with the message for this visitor only.
    html = visitor.get(reverse("visits:availability")).content.decode()
    assert "dibatalkan" in html
    assert "dibatalkan" not in visitor.get(reverse("visits:availability")).content.decode()  # shown once
    assert "dibatalkan" not in signed_in().get(reverse("visits:availability")).content.decode()


@pytest.mark.django_db
def test_late_visitors_share_one_penuh_page(week, renders):
    session = session_at(MONDAY, 13)
    Session.objects.filter(pk=session.pk).update(capacity=1, booked=1)
    url = reverse("visits:reservation_create", args=[session.pk])
    pages = []
    for _ in range(3):
        visitor = signed_in()
        token = csrf_secret(visitor)
        renders.clear()
        response = visitor.post(url, {"csrfmiddlewaretoken": token, "token": str(uuid.uuid4()), "acknowledge": "on"})
        assert response.status_code == 409
        pages.append((response.content.decode(), list(renders)))
    # The database says "penuh" to the first; the second renders the shared page, the third reuses it.
    (first, _), (second, rendered_second), (third, rendered_third) = pages
    assert "visits/reservation_form.html" in rendered_second and rendered_third == []
    assert without_tokens(second) == without_tokens(third)
    for html in (first, second, third):
        assert html.count("Sesi ini sudah penuh") == 1  # said once, not twice
