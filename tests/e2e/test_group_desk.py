"""A Rombongan at the desk on a tablet: the day list shows the group as one row → the group code
is scanned (typed + Enter) → the desk asks how many came, pre-filled with 35 → 30 + Enter → OK,
and the session's places left grow by the 5 who did not come. Screenshots in
test-artifacts/group-desk-*.png."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from jaklitera.roles import PETUGAS_LAYANAN, roles_sync
from tests.e2e.helpers import site_login
from tests.factories import UserFactory
from tests.visits.conftest import group_approved
from visits.models import GroupVisit, Session

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def group(settings, tmp_path):
    """An approved group of 35 for a session whose check-in is open now (it starts in 20 minutes)."""
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    now = timezone.now()
    session = Session.objects.create(
        date=timezone.localdate(now),
        starts_at=now + datetime.timedelta(minutes=20),
        ends_at=now + datetime.timedelta(hours=4),
        last_checkin_at=now + datetime.timedelta(hours=3),
        capacity=300,
    )
    roles_sync()  # an earlier transactional test may have flushed the groups of the data migrations
    group_visit = group_approved(session, institution_name="SDN Menteng 01", participants=35, children=32)
    desk = UserFactory(email="petugas@example.com", is_staff=True)
    desk.groups.add(Group.objects.get(name=PETUGAS_LAYANAN))
    return group_visit


def _places_left(page) -> int:
    card = page.locator(".session-card").first
    return int(card.locator("div", has_text="Sisa tempat").locator("dd").inner_text())


def test_desk_checks_in_30_of_a_group_of_35(page, screen, live_server, artifacts_dir, group):
    tablet = screen(1024, 768)
    site_login(tablet, live_server, "petugas@example.com", next_path="/petugas/kunjungan/")

    row = tablet.locator("tr.row-group")
    assert row.count() == 1
    text = row.inner_text()
    assert group.code_display in text and "SDN Menteng 01" in text and "Rombongan" in text and "35" in text
    assert "Belum datang" in text
    assert _places_left(tablet) == 265
    tablet.screenshot(path=f"{artifacts_dir}/group-desk-01-daftar.png", full_page=True)

    scan = tablet.get_by_label("Pindai atau ketik kode reservasi / nomor anggota")
    assert scan.evaluate("el => el === document.activeElement")
    scan.type(group.code.lower())
    scan.press("Enter")
    tablet.wait_for_selector('[data-result="group"]')
    present = tablet.locator("#group-present")
    assert present.input_value() == "35"
    # The number present has the focus, selected: typing replaces it, Enter confirms.
    assert present.evaluate("el => el === document.activeElement")
    tablet.screenshot(path=f"{artifacts_dir}/group-desk-02-jumlah-hadir.png", full_page=True)
    tablet.keyboard.type("30")
    tablet.keyboard.press("Enter")

    tablet.wait_for_selector('[data-result="ok"]')
    result = tablet.locator("[data-result]").inner_text()
    assert "OK" in result and "30 orang hadir" in result and "5 tempat dikembalikan" in result
    assert _places_left(tablet) == 270  # 5 more places for walk-ins
    assert "Sudah check-in" in tablet.locator("tr.row-group").inner_text()
    assert tablet.locator(".inside-count").inner_text() == "30"
    # Back to the scanner for the next visitor.
    assert scan.evaluate("el => el === document.activeElement")
    tablet.screenshot(path=f"{artifacts_dir}/group-desk-03-ok.png", full_page=True)
    group.refresh_from_db()
    assert (group.status, group.present, group.places_held) == (GroupVisit.Status.CHECKED_IN, 30, 30)
