"""Rombongan (group visits): hold, approve, reject, move, expire, cancel, check-in, never
more than capacity; emails; the confirmation letter PDF; letter privacy; pages and admin."""

import datetime
import io
import uuid

import pytest
from django.contrib.auth.models import Group, Permission
from django.core import mail
from django.utils import timezone
from freezegun import freeze_time
from pypdf import PdfReader

from jaklitera.roles import PETUGAS_LAYANAN, ROLE_PERMISSIONS, roles_sync
from jaklitera.uploads import UploadError
from tests.factories import UserFactory
from tests.members import samples
from visits import errors, services
from visits.group_pdf import group_confirmation_pdf
from visits.models import Closure, GroupVisit, GroupVisitEvent, Session
from visits.services import groups as group_services

from .conftest import MONDAY, session_at

pytestmark = pytest.mark.django_db

TUESDAY = MONDAY + datetime.timedelta(days=1)
THURSDAY = MONDAY + datetime.timedelta(days=3)
SUNDAY = MONDAY + datetime.timedelta(days=6)


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return settings.PRIVATE_MEDIA_ROOT


@pytest.fixture
def deliver(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def teacher():
    return UserFactory(email="guru@sekolah.sch.id")


@pytest.fixture
def desk():
    if not Group.objects.filter(name=PETUGAS_LAYANAN).exists():
        roles_sync()
    user = UserFactory(is_staff=True, email="petugas@example.com")
    user.groups.add(Group.objects.get(name=PETUGAS_LAYANAN))
    return user


def letter(data=None, name="surat.pdf", content_type="application/pdf"):
    return samples.upload(data or samples.pdf_bytes(), name, content_type)


def request_group(user, session, *, participants=35, children=33, alternative=None, token=None, **extra):
    fields = dict(
        requester=user,
        institution_name="SDN Cikini 01",
        institution_type=GroupVisit.InstitutionType.SCHOOL,
        contact_name="Ibu Ratna",
        contact_phone="0812 3456 7890",
        participants=participants,
        children=children,
        age_group=GroupVisit.AgeGroup.PRIMARY,
        purpose="Mengenalkan perpustakaan kepada siswa kelas 4.",
        session_id=session.pk,
        alternative_session_id=alternative.pk if alternative else None,
        letter=letter(),
        token=token,
    )
    fields.update(extra)
    return services.group_visit_create(**fields)


def booked(session) -> int:
    return Session.objects.get(pk=session.pk).booked


# --- holding places ---------------------------------------------------------------------------------


def test_request_holds_places_at_once_and_waits(week, teacher, private_media):
    session = session_at(SUNDAY, 9)
    group = request_group(teacher, session, alternative=session_at(SUNDAY, 13))
    assert group.status == GroupVisit.Status.PENDING
    assert group.get_status_display() == "Menunggu persetujuan"
    assert group.places_held == 35 and booked(session) == 35
    assert group.contact_phone == "+6281234567890"
    # Stored privately under a random name; nothing of the upload's name.
    assert group.letter.name.startswith("group-letters/") and "surat" not in group.letter.name
    assert (private_media / group.letter.name).exists()
    assert services.quota_check() == []
    assert list(group.events.values_list("action", flat=True)) == ["SUBMITTED"]


def test_decision_deadline_is_three_working_days_and_before_the_session(week, teacher):
    # Monday 08.00 + Tue, Wed, Thu → Thursday 08.00 WIB.
    group = request_group(teacher, session_at(SUNDAY, 9))
    assert timezone.localtime(group.decide_by).isoformat() == "2026-06-11T08:00:00+07:00"
    # A session sooner than that: the deadline is its start.
    soon = request_group(UserFactory(), session_at(TUESDAY, 9))
    assert soon.decide_by == session_at(TUESDAY, 9).starts_at


def test_deadline_skips_weekends_and_closure_dates(week, teacher):
    Closure.objects.create(date=MONDAY + datetime.timedelta(days=2), reason="Cuti bersama")
    session = session_at(SUNDAY, 13)
    with freeze_time("2026-06-12 03:00:00"):  # Friday 10.00 WIB
        deadline = group_services.group_decide_by(created_at=timezone.now(), session=session)
    # Friday → Mon, Tue, Wed (and the session on Sunday 14th is sooner).
    assert deadline == session.starts_at
    far = Session(starts_at=timezone.make_aware(datetime.datetime(2026, 7, 1, 9)))
    monday = timezone.make_aware(datetime.datetime(2026, 6, 8, 8))
    # Mon → Tue(1), Wed 10 June closed, Thu(2), Fri(3) → Friday 12 June 08.00.
    assert timezone.localtime(group_services.group_decide_by(created_at=monday, session=far)).date() == (
        datetime.date(2026, 6, 12)
    )


def test_not_enough_places_offers_sessions_that_have_them(week, teacher, private_media):
    session = session_at(TUESDAY, 9)
    services.session_capacity_change(session_id=session.pk, capacity=20)
    with pytest.raises(errors.GroupQuotaFull) as caught:
        request_group(teacher, session)
    assert "35 tempat" in str(caught.value)
    assert caught.value.alternatives and all(s.places_left >= 35 for s in caught.value.alternatives)
    assert session.pk not in [s.pk for s in caught.value.alternatives]
    assert booked(session) == 0
    assert not GroupVisit.objects.exists()
    assert not list(private_media.rglob("*.pdf"))  # the stored letter was removed again


@pytest.mark.parametrize(
    ("participants", "children", "error"),
    [(9, 0, errors.GroupSizeInvalid), (101, 0, errors.GroupSizeInvalid), (20, 21, errors.GroupChildrenInvalid)],
)
def test_group_size_rules(week, teacher, participants, children, error):
    with pytest.raises(error):
        request_group(teacher, session_at(TUESDAY, 9), participants=participants, children=children)


def test_same_alternative_bad_phone_and_bad_letter_refused(week, teacher):
    session = session_at(TUESDAY, 9)
    with pytest.raises(errors.GroupSameSession):
        request_group(teacher, session, alternative=session)
    with pytest.raises(errors.GroupError) as caught:
        request_group(teacher, session, contact_phone="12345")
    assert caught.value.field == "contact_phone"
    with pytest.raises(UploadError):
        request_group(teacher, session, letter=letter(samples.fake_pdf_bytes()))
    assert booked(session) == 0


def test_unconfirmed_email_cannot_request(week):
    from tests.factories import UnconfirmedUserFactory

    with pytest.raises(errors.EmailNotConfirmed):
        request_group(UnconfirmedUserFactory(), session_at(TUESDAY, 9))


def test_double_submit_holds_once(week, teacher):
    token = uuid.uuid4()
    session = session_at(TUESDAY, 9)
    first = request_group(teacher, session, token=token)
    again = request_group(teacher, session, token=token)
    assert first.pk == again.pk and booked(session) == 35


def test_group_and_bookings_never_exceed_capacity(week, teacher):
    session = session_at(TUESDAY, 9)
    services.session_capacity_change(session_id=session.pk, capacity=40)
    request_group(teacher, session)
    results = []
    for _ in range(8):
        try:
            services.reservation_create(user=UserFactory(), session_id=session.pk, acknowledged=True)
            results.append("ok")
        except errors.QuotaFull:
            results.append("full")
    assert results.count("ok") == 5
    assert booked(session) == 40
    with pytest.raises(errors.CapacityBelowTaken):
        services.session_capacity_change(session_id=session.pk, capacity=39)
    assert services.quota_check() == []


# --- staff decisions ---------------------------------------------------------------------------------


def test_approve_gives_code_and_sends_letter_and_qr(week, teacher, desk, deliver):
    session = session_at(THURSDAY, 9)
    group = request_group(teacher, session)
    mail.outbox.clear()
    with deliver():
        approved = services.group_visit_approve(group_visit_id=group.pk, staff=desk)
    assert approved.status == GroupVisit.Status.APPROVED and len(approved.code) == 8
    assert booked(session) == 35  # already held: approval takes nothing more
    message = mail.outbox[-1]
    assert message.to == [teacher.email]
    assert approved.code_display in message.subject and "SDN Cikini 01" in message.body
    attachments = {name: (content, mimetype) for name, content, mimetype in message.attachments}
    pdf, pdf_type = attachments[f"konfirmasi-rombongan-{approved.code}.pdf"]
    assert pdf_type == "application/pdf"
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "SDN Cikini 01" in text and "35 orang" in text and approved.code_display in text
    assert attachments[f"qr-{approved.code}.png"][0].startswith(b"\x89PNG")
    event = group.events.get(action=GroupVisitEvent.Action.APPROVED)
    assert event.actor == desk and event.actor_email == desk.email
    with pytest.raises(errors.GroupNotPending):
        services.group_visit_approve(group_visit_id=group.pk, staff=desk)
    with pytest.raises(errors.GroupNotPending):
        services.group_visit_reject(group_visit_id=group.pk, staff=desk, reason="Terlambat")
    assert group.events.count() == 2


def test_received_email_says_waiting_with_the_deadline(week, teacher, deliver):
    with deliver():
        request_group(teacher, session_at(SUNDAY, 9))
    message = mail.outbox[-1]
    assert "menunggu persetujuan" in message.subject
    assert "11 Juni 2026 pukul 08.00 WIB" in message.body


def test_reject_needs_a_reason_releases_and_emails(week, teacher, desk, deliver):
    session = session_at(THURSDAY, 9)
    group = request_group(teacher, session)
    with pytest.raises(errors.GroupReasonRequired):
        services.group_visit_reject(group_visit_id=group.pk, staff=desk, reason="  ")
    with deliver():
        services.group_visit_reject(group_visit_id=group.pk, staff=desk, reason="Sesi itu dipakai acara sekolah lain.")
    group.refresh_from_db()
    assert group.status == GroupVisit.Status.REJECTED and group.places_held == 0
    assert booked(session) == 0
    assert "Sesi itu dipakai acara sekolah lain." in mail.outbox[-1].body
    assert group.events.get(action="REJECTED").note == "Sesi itu dipakai acara sekolah lain."
    assert services.quota_check() == []


def test_move_only_where_the_whole_group_fits(week, teacher, desk, deliver):
    source, target, small = session_at(THURSDAY, 9), session_at(THURSDAY, 13), session_at(SUNDAY, 9)
    group = request_group(teacher, source)
    services.session_capacity_change(session_id=small.pk, capacity=30)
    with pytest.raises(errors.GroupQuotaFull):
        services.group_visit_move(group_visit_id=group.pk, staff=desk, new_session_id=small.pk)
    assert booked(source) == 35 and booked(small) == 0
    with deliver():
        moved = services.group_visit_move(group_visit_id=group.pk, staff=desk, new_session_id=target.pk)
    assert moved.session_id == target.pk and moved.status == GroupVisit.Status.PENDING
    assert booked(source) == 0 and booked(target) == 35
    assert "dipindah" in mail.outbox[-1].subject
    event = group.events.get(action="MOVED")
    assert (event.from_session_id, event.to_session_id, event.actor) == (source.pk, target.pk, desk)
    assert services.quota_check() == []


def test_move_refused_when_the_target_fills_up_at_the_last_moment(week, teacher, desk, monkeypatch):
    source, target = session_at(THURSDAY, 9), session_at(THURSDAY, 13)
    group = request_group(teacher, source)
    monkeypatch.setattr(group_services.quota, "quota_take", lambda **kw: False)  # someone took the places
    with pytest.raises(errors.GroupQuotaFull):
        services.group_visit_move(group_visit_id=group.pk, staff=desk, new_session_id=target.pk)
    group.refresh_from_db()
    assert group.session_id == source.pk and booked(source) == 35 and booked(target) == 0


def test_undecided_request_expires_releases_and_emails(week, teacher, desk, deliver, frozen):
    session = session_at(SUNDAY, 9)
    group = request_group(teacher, session)
    assert services.group_visits_expire() == 0
    frozen.move_to("2026-06-11 01:00:01")  # Thursday 08.00.01 WIB
    with pytest.raises(errors.GroupDecisionLate):
        services.group_visit_approve(group_visit_id=group.pk, staff=desk)
    with deliver():
        assert services.group_visits_expire() == 1
    group.refresh_from_db()
    assert group.status == GroupVisit.Status.EXPIRED and group.places_held == 0
    assert booked(session) == 0
    assert "kedaluwarsa" in mail.outbox[-1].subject
    assert services.group_visits_expire() == 0
    assert group.events.get(action="EXPIRED").actor is None


def test_beat_task_expires(week, teacher, frozen):
    from visits import tasks

    request_group(teacher, session_at(TUESDAY, 9))
    frozen.move_to("2026-06-09 02:00:00")  # Tuesday 09.00 WIB: the session starts
    assert tasks.group_visits_expire() == 1


def test_requester_cancels_until_the_day_before(week, teacher, desk, deliver, frozen):
    session = session_at(TUESDAY, 13)
    group = request_group(teacher, session)
    services.group_visit_approve(group_visit_id=group.pk, staff=desk)
    with pytest.raises(GroupVisit.DoesNotExist):
        services.group_visit_cancel(group_visit_id=group.pk, requester=UserFactory())
    frozen.move_to("2026-06-09 00:30:00")  # Tuesday 07.30 WIB: the day itself
    with pytest.raises(errors.GroupCancelTooLate):
        services.group_visit_cancel(group_visit_id=group.pk, requester=teacher)
    frozen.move_to("2026-06-08 15:00:00")  # Monday 22.00 WIB
    with deliver():
        services.group_visit_cancel(group_visit_id=group.pk, requester=teacher)
    assert booked(session) == 0
    assert "dibatalkan" in mail.outbox[-1].subject
    with pytest.raises(errors.GroupNotActive):
        services.group_visit_cancel(group_visit_id=group.pk, requester=teacher)


def test_closing_the_session_cancels_the_group(week, teacher, deliver):
    session = session_at(TUESDAY, 9)
    group = request_group(teacher, session)
    services.reservation_create(user=UserFactory(), session_id=session.pk, acknowledged=True)
    with deliver():
        services.session_close(session_id=session.pk, reason="Perbaikan listrik")
    group.refresh_from_db()
    assert group.status == GroupVisit.Status.CANCELLED and booked(session) == 0
    assert any("ditutup oleh perpustakaan" in m.body for m in mail.outbox if m.to == [teacher.email])
    assert services.quota_check() == []


def test_schedule_change_keeps_a_session_a_group_asked_for(week, teacher, desk):
    from visits.models import SessionSlot

    session = session_at(SUNDAY, 13)
    group = request_group(teacher, session)
    services.group_visit_reject(group_visit_id=group.pk, staff=desk, reason="Tidak bisa")
    SessionSlot.objects.filter(schedule__weekday=6, starts_at=datetime.time(13)).delete()
    result = services.sessions_generate()  # would delete the session: the group row protects it
    assert Session.objects.filter(pk=session.pk).exists() and result.kept == 1


# --- on the day -------------------------------------------------------------------------------------


def test_checkin_whole_group_or_fewer_releases_the_rest(week, teacher, desk, frozen):
    session = session_at(TUESDAY, 9)
    group = request_group(teacher, session)
    approved = services.group_visit_approve(group_visit_id=group.pk, staff=desk)
    with pytest.raises(errors.GroupCheckinNotAllowed):  # Monday: not the day
        services.group_checkin(request_code=approved.code, staff=desk)
    frozen.move_to("2026-06-09 02:30:00")  # Tuesday 09.30 WIB
    with pytest.raises(errors.GroupNotFound):
        services.group_checkin(request_code="ZZZZ-ZZZZ", staff=desk)
    with pytest.raises(errors.GroupPresentInvalid):
        services.group_checkin(request_code=approved.code, present=36, staff=desk)
    done = services.group_checkin(request_code=approved.code_display.lower(), present=30, staff=desk)
    assert done.status == GroupVisit.Status.CHECKED_IN and done.present == 30 and done.places_held == 30
    assert booked(session) == 30  # 5 places back for walk-ins
    assert services.quota_check() == []
    with pytest.raises(errors.GroupNotActive):
        services.group_checkin(request_code=approved.code, staff=desk)
    event = group.events.get(action="CHECKED_IN")
    assert event.places == 30 and event.actor == desk


def test_checkin_whole_group_by_default(week, teacher, desk, frozen):
    session = session_at(TUESDAY, 13)
    approved = services.group_visit_approve(group_visit_id=request_group(teacher, session).pk, staff=desk)
    frozen.move_to("2026-06-09 06:10:00")  # Tuesday 13.10 WIB
    assert services.group_checkin(request_code=approved.code, staff=desk).present == 35
    assert booked(session) == 35


def test_day_selector_lists_groups_one_row_each(week, teacher, desk):
    from visits.group_selectors import group_visits_for_day

    approved = services.group_visit_approve(
        group_visit_id=request_group(teacher, session_at(TUESDAY, 9)).pk, staff=desk
    )
    request_group(UserFactory(), session_at(TUESDAY, 13))  # pending: not on the day list
    rows = group_visits_for_day(date=TUESDAY)
    assert [(g.pk, g.participants) for g in rows] == [(approved.pk, 35)]


# --- the confirmation letter ---------------------------------------------------------------------------


def test_confirmation_pdf_is_readable(week, teacher, desk):
    group = request_group(teacher, session_at(THURSDAY, 13), institution_name="Komunitas Baca Cikini")
    approved = services.group_visit_approve(group_visit_id=group.pk, staff=desk)
    reader = PdfReader(io.BytesIO(group_confirmation_pdf(group_visit=approved)))
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    for expected in ("Perpustakaan Jakarta", "Komunitas Baca Cikini", "Kamis, 11 Juni 2026", "13.00", "35 orang"):
        assert expected in text, expected


# --- events are immutable -----------------------------------------------------------------------------


def test_events_cannot_be_changed_or_deleted(week, teacher):
    event = request_group(teacher, session_at(TUESDAY, 9)).events.get()
    event.note = "diubah"
    with pytest.raises(ValueError, match="immutable"):
        event.save()
    with pytest.raises(ValueError, match="immutable"):
        event.delete()


def test_every_role_permission_exists_after_migrate():
    for codes in ROLE_PERMISSIONS.values():
        for code in codes:
            app_label, codename = code.split(".")
            assert Permission.objects.filter(content_type__app_label=app_label, codename=codename).exists(), code
    roles_sync()
    desk_perms = set(Group.objects.get(name=PETUGAS_LAYANAN).permissions.values_list("codename", flat=True))
    assert {"decide_groupvisit", "view_group_letter", "view_groupvisit"} <= desk_perms
