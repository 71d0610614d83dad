"""Rombongan pages over HTTP: the request form, Rombongan Saya, the detail page and PDF, cancel,
the private request letter (who may open it, the access log) and the staff pages in admin."""

import datetime
import io

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from pypdf import PdfReader

from jaklitera.roles import PETUGAS_LAYANAN, VERIFIKATOR, roles_sync
from tests.factories import UserFactory
from tests.members import samples
from visits import services
from visits.models import GroupLetterAccess, GroupVisit

from .conftest import MONDAY, session_at
from .test_groups import request_group

pytestmark = pytest.mark.django_db

THURSDAY = MONDAY + datetime.timedelta(days=3)


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


@pytest.fixture
def teacher():
    return UserFactory(email="guru@sekolah.sch.id")


def staff_in(group_name, **extra):
    if not Group.objects.filter(name=group_name).exists():
        roles_sync()
    user = UserFactory(is_staff=True, **extra)
    user.groups.add(Group.objects.get(name=group_name))
    return user


@pytest.fixture
def desk():
    return staff_in(PETUGAS_LAYANAN, email="petugas@example.com")


def form_data(session, alternative, **extra):
    data = {
        "token": "6f1c2a4e-7d1b-4c55-9a61-0c1d2e3f4a5b",
        "institution_name": "SDN Cikini 01",
        "institution_type": "SCHOOL",
        "contact_name": "Ibu Ratna",
        "contact_phone": "0812-3456-7890",
        "participants": "35",
        "children": "33",
        "age_group": "PRIMARY",
        "purpose": "Kunjungan literasi kelas 4",
        "session": str(session.pk),
        "alternative_session": str(alternative.pk),
        "letter": samples.upload(samples.pdf_bytes(), "surat.pdf", "application/pdf"),
    }
    data.update(extra)
    return data


def test_form_needs_login(client, week):
    response = client.get(reverse("visits:group_create"))
    assert response.status_code == 302 and "/masuk/" in response["Location"]


def test_request_through_the_form(client, week, teacher):
    client.force_login(teacher)
    page = client.get(reverse("visits:group_create"))
    assert page.status_code == 200 and "Ajukan Kunjungan Rombongan" in page.content.decode()
    session, alternative = session_at(THURSDAY, 9), session_at(THURSDAY, 13)
    response = client.post(reverse("visits:group_create"), form_data(session, alternative))
    group = GroupVisit.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("visits:group_detail", args=[group.pk])
    assert group.alternative_session == alternative and group.places_held == 35
    detail = client.get(response["Location"]).content.decode()
    assert "Menunggu persetujuan" in detail and "35 tempat ditahan" in detail
    listing = client.get(reverse("visits:group_list")).content.decode()
    assert "SDN Cikini 01" in listing and "Menunggu persetujuan" in listing
    assert reverse("visits:group_list") in client.get(reverse("visits:my_visits")).content.decode()


def test_form_errors_are_shown_by_field(client, week, teacher):
    client.force_login(teacher)
    session = session_at(THURSDAY, 9)
    data = form_data(session, session, participants="5", contact_phone="123")
    data["letter"] = samples.upload(samples.fake_pdf_bytes(), "surat.pdf", "application/pdf")
    response = client.post(reverse("visits:group_create"), data)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert {"participants", "contact_phone", "alternative_session"} <= set(errors)
    response = client.post(
        reverse("visits:group_create"),
        {**form_data(session, session_at(THURSDAY, 13))}
        | {"letter": samples.upload(samples.fake_pdf_bytes(), "surat.pdf", "application/pdf")},
    )
    assert response.status_code == 400 and "letter" in response.context["form"].errors
    assert not GroupVisit.objects.exists()


def test_full_session_offers_others(client, week, teacher):
    client.force_login(teacher)
    session = session_at(THURSDAY, 9)
    services.session_capacity_change(session_id=session.pk, capacity=30)
    response = client.post(reverse("visits:group_create"), form_data(session, session_at(THURSDAY, 13)))
    assert response.status_code == 409
    html = response.content.decode()
    assert "tidak memiliki 35 tempat kosong" in html
    assert "Sesi yang masih cukup untuk rombongan Anda" in html
    assert "Kamis, 11 Juni 2026, 13.00–17.00 WIB" in html


def test_detail_of_someone_else_is_404(client, week, teacher):
    group = request_group(teacher, session_at(THURSDAY, 9))
    client.force_login(UserFactory())
    for name in ("group_detail", "group_cancel", "group_qr", "group_confirmation"):
        assert client.get(reverse(f"visits:{name}", args=[group.pk])).status_code == 404


def test_approved_detail_qr_and_pdf_download(client, week, teacher, desk):
    group = request_group(teacher, session_at(THURSDAY, 9))
    approved = services.group_visit_approve(group_visit_id=group.pk, staff=desk)
    client.force_login(teacher)
    html = client.get(reverse("visits:group_detail", args=[group.pk])).content.decode()
    assert approved.code_display in html and "Unduh surat konfirmasi (PDF)" in html
    assert client.get(reverse("visits:group_qr", args=[group.pk]))["Content-Type"] == "image/svg+xml"
    response = client.get(reverse("visits:group_confirmation", args=[group.pk]))
    assert response["Content-Type"] == "application/pdf" and "attachment" in response["Content-Disposition"]
    text = PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    assert "SDN Cikini 01" in text and "35 orang" in text


def test_a_cancelled_approved_group_no_longer_shows_its_code_qr_or_letter(client, week, teacher, desk):
    group = request_group(teacher, session_at(THURSDAY, 9))
    approved = services.group_visit_approve(group_visit_id=group.pk, staff=desk)
    services.group_visit_cancel(group_visit_id=group.pk, requester=teacher)
    client.force_login(teacher)
    html = client.get(reverse("visits:group_detail", args=[group.pk])).content.decode()
    assert approved.code_display not in html and "Unduh surat konfirmasi (PDF)" not in html
    assert client.get(reverse("visits:group_qr", args=[group.pk])).status_code == 404
    assert client.get(reverse("visits:group_confirmation", args=[group.pk])).status_code == 404


def test_pdf_not_available_while_pending(client, week, teacher):
    group = request_group(teacher, session_at(THURSDAY, 9))
    client.force_login(teacher)
    assert client.get(reverse("visits:group_confirmation", args=[group.pk])).status_code == 404


def test_cancel_page(client, week, teacher):
    session = session_at(THURSDAY, 9)
    group = request_group(teacher, session)
    client.force_login(teacher)
    assert client.get(reverse("visits:group_cancel", args=[group.pk])).status_code == 200
    response = client.post(reverse("visits:group_cancel", args=[group.pk]))
    assert response.status_code == 302
    group.refresh_from_db()
    assert group.status == GroupVisit.Status.CANCELLED and session_at(THURSDAY, 9).booked == 0


# --- the request letter: private, logged -----------------------------------------------------------------


def test_letter_privacy_and_access_log(client, week, teacher, desk):
    group = request_group(teacher, session_at(THURSDAY, 9))
    url = reverse("visits:group_letter", args=[group.pk])
    # Anonymous, another member, staff without the permission (Verifikator), a non-staff
    # account holding the permission: the same 404.
    assert client.get(url).status_code == 404
    client.force_login(UserFactory())
    assert client.get(url).status_code == 404
    client.force_login(staff_in(VERIFIKATOR))
    assert client.get(url).status_code == 404
    member_with_perm = UserFactory()
    member_with_perm.groups.add(Group.objects.get(name=PETUGAS_LAYANAN))
    client.force_login(member_with_perm)
    assert client.get(url).status_code == 404
    assert not GroupLetterAccess.objects.exists()
    # The requester: the file, not logged.
    client.force_login(teacher)
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF-")
    assert not GroupLetterAccess.objects.exists()
    # Front desk staff: the file, sandboxed, and a log row.
    client.force_login(desk)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Security-Policy"] == "sandbox"
    assert response["Cache-Control"] == "private, no-store"
    assert "surat-permohonan.pdf" in response["Content-Disposition"]
    log = GroupLetterAccess.objects.get()
    assert (log.viewer, log.viewer_email, log.group_visit, log.institution_name) == (
        desk,
        desk.email,
        group,
        "SDN Cikini 01",
    )


# --- staff in admin ----------------------------------------------------------------------------------------


def test_pending_list_soonest_visit_first(client, week, desk):
    later = request_group(UserFactory(), session_at(MONDAY + datetime.timedelta(days=5), 9), institution_name="SMP B")
    sooner = request_group(UserFactory(), session_at(MONDAY + datetime.timedelta(days=2), 9), institution_name="SD A")
    services.group_visit_approve(
        group_visit_id=request_group(UserFactory(), session_at(THURSDAY, 9), institution_name="Sudah").pk, staff=desk
    )
    client.force_login(desk)
    response = client.get(reverse("admin:visits_groupvisit_changelist"))
    assert response.status_code == 200
    rows = list(response.context["cl"].result_list)
    assert [g.pk for g in rows] == [sooner.pk, later.pk]


def test_staff_approve_reject_move_in_admin(client, week, desk):
    group = request_group(UserFactory(), session_at(THURSDAY, 9))
    client.force_login(desk)
    page = client.get(reverse("admin:visits_groupvisit_change", args=[group.pk]))
    assert page.status_code == 200 and "Setujui rombongan" in page.content.decode()
    # Reject without a reason: refused, nothing changes.
    response = client.post(reverse("admin:visits_groupvisit_reject", args=[group.pk]), {"reason": ""})
    assert response.status_code == 400 and "Tuliskan alasan penolakan." in response.content.decode()
    # Move to the afternoon, then approve.
    target = session_at(THURSDAY, 13)
    client.post(reverse("admin:visits_groupvisit_move", args=[group.pk]), {"session": target.pk})
    client.post(reverse("admin:visits_groupvisit_approve", args=[group.pk]))
    group.refresh_from_db()
    assert group.status == GroupVisit.Status.APPROVED and group.session == target
    # A second click (or a second staff member): one decision, a clear message.
    response = client.post(reverse("admin:visits_groupvisit_approve", args=[group.pk]), follow=True)
    assert "sudah diputuskan" in response.content.decode()
    assert group.events.filter(action="APPROVED").count() == 1
    pdf = client.get(reverse("admin:visits_groupvisit_confirmation", args=[group.pk]))
    assert pdf["Content-Type"] == "application/pdf"


def test_staff_without_the_permission_cannot_decide(client, week):
    group = request_group(UserFactory(), session_at(THURSDAY, 9))
    client.force_login(staff_in(VERIFIKATOR))
    assert client.post(reverse("admin:visits_groupvisit_approve", args=[group.pk])).status_code == 403
    group.refresh_from_db()
    assert group.status == GroupVisit.Status.PENDING


def test_admin_checkin_by_code(client, week, desk, frozen):
    session = session_at(MONDAY + datetime.timedelta(days=1), 9)
    group = services.group_visit_approve(group_visit_id=request_group(UserFactory(), session).pk, staff=desk)
    frozen.move_to("2026-06-09 02:30:00")
    client.force_login(desk)
    url = reverse("admin:visits_groupvisit_checkin")
    assert client.get(url).status_code == 200
    response = client.post(url, {"code": group.code_display, "present": "28"}, follow=True)
    assert "28 orang" in response.content.decode()
    group.refresh_from_db()
    assert group.present == 28 and session_at(MONDAY + datetime.timedelta(days=1), 9).booked == 28
