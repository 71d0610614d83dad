"""Approve, reject, resubmit, claims, member numbers, retention, and every refusal."""

import datetime
import re
from datetime import timedelta

import pytest
from django.utils import timezone
from freezegun import freeze_time

from jaklitera.errors import InvalidTransition
from jaklitera.models import OutboundEmail
from members.models import Document, Member
from members.services import profile
from tests.factories import CompleteMemberFactory, UserFactory
from tests.members import samples
from verification import services
from verification.models import Decision, MemberNumberCounter, Submission

from .conftest import librarian_create, submitted_member

pytestmark = pytest.mark.django_db


def _submission(member) -> Submission:
    return Submission.objects.get(member=member, status=Submission.Status.WAITING)


def _reject(submission, reviewer, reasons=("PHOTO_UNCLEAR",), note="Foto buram, unggah foto yang lebih jelas."):
    return services.submission_reject(submission_id=submission.pk, reviewer=reviewer, reasons=list(reasons), note=note)


# --- Into the queue ---


def test_submit_puts_a_submission_in_the_queue_with_a_snapshot(waiting):
    submission = _submission(waiting)
    assert submission.is_resubmission is False
    assert submission.submitted_at == waiting.submitted_at
    assert submission.snapshot["nik"] == waiting.nik
    assert submission.snapshot["birth_date"] == "1990-06-05"


# --- Approve ---


def test_approve_verifies_with_a_member_number_and_records_the_decision(waiting, librarian):
    submission = _submission(waiting)
    with freeze_time("2026-12-04 03:00:00"):
        decision = services.submission_approve(submission_id=submission.pk, reviewer=librarian)
    waiting.refresh_from_db()
    submission.refresh_from_db()
    assert waiting.status == Member.Status.TERVERIFIKASI
    assert re.fullmatch(r"2026-\d{6}", waiting.member_number)
    assert waiting.verified_at == timezone.now().replace(
        year=2026, month=12, day=4, hour=3, minute=0, second=0, microsecond=0
    )
    assert submission.status == Submission.Status.APPROVED and submission.claimed_by is None
    assert decision.outcome == Decision.Outcome.APPROVED
    assert (decision.reviewer, decision.reviewer_email) == (librarian, librarian.email)
    assert decision.member_number == waiting.member_number
    assert OutboundEmail.objects.filter(kind="verification_approved", to=waiting.user.email).count() == 1


def test_member_numbers_follow_the_year_and_never_repeat(librarian):
    members = [submitted_member(nik=f"31710145069000{n:02d}") for n in range(1, 4)]
    numbers = []
    with freeze_time("2026-06-01 10:00:00"):
        for member in members[:2]:
            numbers.append(
                services.submission_approve(submission_id=_submission(member).pk, reviewer=librarian).member_number
            )
    with freeze_time("2027-01-02 10:00:00"):
        numbers.append(
            services.submission_approve(submission_id=_submission(members[2]).pk, reviewer=librarian).member_number
        )
    assert numbers == ["2026-000001", "2026-000002", "2027-000001"]


def test_member_number_year_is_the_year_in_jakarta(waiting, librarian):
    # 31 Dec 2026 18:00 UTC is already 1 Jan 2027 in Jakarta.
    with freeze_time("2026-12-31 18:00:00"):
        decision = services.submission_approve(submission_id=_submission(waiting).pk, reviewer=librarian)
    assert decision.member_number == "2027-000001"


def test_numbers_given_before_the_counter_existed_are_not_reused(waiting, librarian):
    CompleteMemberFactory(status=Member.Status.TERVERIFIKASI, nik="3171011203850002", member_number="2026-000041")
    with freeze_time("2026-06-01 10:00:00"):
        decision = services.submission_approve(submission_id=_submission(waiting).pk, reviewer=librarian)
    assert decision.member_number == "2026-000042"
    assert MemberNumberCounter.objects.get(year=2026).last == 42


def test_approve_refuses_a_nik_already_verified_for_another_member(librarian):
    CompleteMemberFactory(status=Member.Status.TERVERIFIKASI, member_number="2026-000001")
    member = submitted_member()  # same NIK as the factory default
    with pytest.raises(services.NikTaken):
        services.submission_approve(submission_id=_submission(member).pk, reviewer=librarian)
    member.refresh_from_db()
    assert member.status == Member.Status.MENUNGGU_VERIFIKASI
    assert not Decision.objects.exists()


# --- Reject ---


def test_reject_records_reasons_and_note_and_queues_the_email(waiting, librarian):
    submission = _submission(waiting)
    decision = _reject(submission, librarian, reasons=["DATA_MISMATCH", "PHOTO_UNCLEAR"], note="  Nama beda.  ")
    waiting.refresh_from_db()
    assert waiting.status == Member.Status.DITOLAK
    assert waiting.member_number is None
    assert decision.reasons == ["PHOTO_UNCLEAR", "DATA_MISMATCH"]  # in list order
    assert decision.note == "Nama beda."
    assert [str(label) for label in decision.reason_labels] == ["Foto tidak jelas", "Data tidak sesuai dengan KTP"]
    assert OutboundEmail.objects.filter(kind="verification_rejected").count() == 1


@pytest.mark.parametrize(
    ("reasons", "note", "fields"),
    [
        ([], "Foto buram.", {"reasons"}),
        (["PHOTO_UNCLEAR"], "   ", {"note"}),
        ([], "", {"reasons", "note"}),
        (["NOT_A_REASON"], "Foto buram.", {"reasons"}),
        (["PHOTO_UNCLEAR"], "x" * 1001, {"note"}),
    ],
)
def test_reject_needs_a_reason_from_the_list_and_a_note(waiting, librarian, reasons, note, fields):
    with pytest.raises(services.ReasonRequired) as caught:
        _reject(_submission(waiting), librarian, reasons=reasons, note=note)
    assert set(caught.value.errors) == fields
    waiting.refresh_from_db()
    assert waiting.status == Member.Status.MENUNGGU_VERIFIKASI
    assert not Decision.objects.exists() and not OutboundEmail.objects.exists()


# --- Refusals: wrong status, no permission ---


@pytest.mark.parametrize("first", ["approve", "reject"])
@pytest.mark.parametrize("second", ["approve", "reject"])
def test_a_second_decision_is_refused_with_who_decided(waiting, librarian, librarian2, first, second):
    submission = _submission(waiting)
    if first == "approve":
        services.submission_approve(submission_id=submission.pk, reviewer=librarian)
    else:
        _reject(submission, librarian)
    with pytest.raises(services.AlreadyDecided) as caught:
        if second == "approve":
            services.submission_approve(submission_id=submission.pk, reviewer=librarian2)
        else:
            _reject(submission, librarian2)
    assert "pustakawan@example.com" in str(caught.value)
    assert "sudah diputuskan" in str(caught.value)
    assert Decision.objects.count() == 1
    assert OutboundEmail.objects.count() == 1


def test_a_member_not_waiting_cannot_be_decided(waiting, librarian):
    submission = _submission(waiting)
    Member.objects.filter(pk=waiting.pk).update(status=Member.Status.BELUM_TERVERIFIKASI)
    with pytest.raises(InvalidTransition):
        services.submission_approve(submission_id=submission.pk, reviewer=librarian)
    with pytest.raises(InvalidTransition):
        _reject(submission, librarian)


def test_a_withdrawn_submission_cannot_be_decided(waiting, librarian):
    submission = _submission(waiting)
    services.submissions_forget(member=waiting)
    with pytest.raises(services.Withdrawn):
        services.submission_approve(submission_id=submission.pk, reviewer=librarian)


def _no_permission_users():
    from .conftest import desk_create

    return {
        "member": UserFactory(),
        "staff without group": UserFactory(is_staff=True),
        "petugas layanan": desk_create(),
        "inactive librarian": librarian_create(is_active=False),
        "librarian who lost staff status": librarian_create(is_staff=False),
    }


def test_only_librarians_may_decide_or_claim(waiting):
    submission = _submission(waiting)
    for label, user in _no_permission_users().items():
        with pytest.raises(services.NotAllowed):
            services.submission_approve(submission_id=submission.pk, reviewer=user)
        with pytest.raises(services.NotAllowed):
            _reject(submission, user)
        with pytest.raises(services.NotAllowed):
            services.submission_claim_next(reviewer=user)
        with pytest.raises(services.NotAllowed):
            services.submissions_approve_dki(submission_ids=[submission.pk], reviewer=user)
        assert not Decision.objects.exists(), label
    superuser = UserFactory(is_staff=True, is_superuser=True)
    assert services.submission_approve(submission_id=submission.pk, reviewer=superuser)


def test_a_decision_is_immutable(waiting, librarian):
    decision = services.submission_approve(submission_id=_submission(waiting).pk, reviewer=librarian)
    decision.note = "diubah"
    with pytest.raises(ValueError):
        decision.save()
    with pytest.raises(ValueError):
        decision.delete()
    assert Decision.objects.get().note == ""


# --- Resubmission ---


def test_rejected_member_fixes_only_the_photo_and_resubmits(waiting, librarian, librarian2):
    first = _submission(waiting)
    _reject(first, librarian)
    waiting.refresh_from_db()
    # The Lengkapi Data steps are open again; the member replaces just the photo.
    profile.member_photo_save(member=waiting, photo=samples.upload(samples.jpeg_bytes(700, 900), "baru.jpg"))
    profile.member_submit(member=waiting)
    second = _submission(waiting)
    assert second.pk != first.pk
    assert second.is_resubmission is True
    waiting.refresh_from_db()
    assert waiting.status == Member.Status.MENUNGGU_VERIFIKASI
    # Back in the queue: "next" finds it.
    assert services.submission_claim_next(reviewer=librarian2).pk == second.pk
    services.submission_approve(submission_id=second.pk, reviewer=librarian2)
    waiting.refresh_from_db()
    assert waiting.status == Member.Status.TERVERIFIKASI
    assert list(Decision.objects.order_by("decided_at").values_list("outcome", flat=True)) == ["REJECTED", "APPROVED"]


def test_review_of_a_resubmission_shows_what_changed(waiting, librarian):
    from verification.selectors import submission_review

    _reject(_submission(waiting), librarian)
    profile.member_personal_update(
        member=waiting,
        full_name="Siti Rahmawati Putri",
        nik=waiting.nik,
        birth_place=waiting.birth_place,
        birth_date=waiting.birth_date,
        gender=waiting.gender,
        occupation=waiting.occupation,
        education=waiting.education,
    )
    profile.member_submit(member=waiting)
    review = submission_review(submission=_submission(waiting))
    assert [str(label) for label in review["changed_fields"]] == ["nama lengkap sesuai KTP"]
    assert review["previous"].outcome == Decision.Outcome.REJECTED


def test_only_one_submission_waits_per_member(waiting):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Submission.objects.create(member=waiting, submitted_at=timezone.now())


# --- Claims ---


def test_next_gives_two_librarians_different_submissions_oldest_first(librarian, librarian2):
    with freeze_time("2026-12-01 09:00:00"):
        older = submitted_member(nik="3171014506900011")
    with freeze_time("2026-12-02 09:00:00"):
        newer = submitted_member(nik="3171014506900012")
    with freeze_time("2026-12-04 09:00:00"):
        first = services.submission_claim_next(reviewer=librarian)
        second = services.submission_claim_next(reviewer=librarian2)
        assert first.member_id == older.pk and second.member_id == newer.pk
        # Asking again returns one's own claim, not a third one.
        assert services.submission_claim_next(reviewer=librarian).pk == first.pk
        assert services.submission_claim_next(reviewer=UserFactory(is_staff=True, is_superuser=True)) is None
        assert first.claimed_until == timezone.now() + timedelta(minutes=15)
    with freeze_time("2026-12-04 09:16:00"):
        # The claim expired: someone else may take it.
        third = librarian_create()
        assert services.submission_claim_next(reviewer=third).pk == first.pk


def test_skip_releases_the_claim(waiting, librarian, librarian2):
    submission = services.submission_claim_next(reviewer=librarian)
    assert services.submission_claim_next(reviewer=librarian2) is None
    assert services.submission_release(submission_id=submission.pk, reviewer=librarian)
    assert services.submission_claim_next(reviewer=librarian2).pk == submission.pk


def test_next_after_skipping_moves_on_and_comes_back_when_nothing_else_waits(librarian):
    with freeze_time("2026-12-01 09:00:00"):
        older = submitted_member(nik="3171014506900011")
    with freeze_time("2026-12-02 09:00:00"):
        newer = submitted_member(nik="3171014506900012")
    first = services.submission_claim_next(reviewer=librarian)
    assert first.member_id == older.pk
    services.submission_release(submission_id=first.pk, reviewer=librarian)
    second = services.submission_claim_next(reviewer=librarian, skipped=(first.pk,))
    assert second.member_id == newer.pk
    services.submission_release(submission_id=second.pk, reviewer=librarian)
    again = services.submission_claim_next(reviewer=librarian, skipped=(first.pk, second.pk))
    assert again.pk == first.pk


def test_opening_a_claimed_submission_does_not_steal_it(waiting, librarian, librarian2):
    submission = services.submission_claim_next(reviewer=librarian)
    assert services.submission_claim(submission_id=submission.pk, reviewer=librarian2) is False
    submission.refresh_from_db()
    assert submission.claimed_by == librarian


# --- Bulk approval ---


def test_bulk_approval_is_refused_when_a_non_dki_submission_is_selected(waiting, waiting_non_dki, librarian):
    ids = [_submission(waiting).pk, _submission(waiting_non_dki).pk]
    with pytest.raises(services.BulkNotAllowed):
        services.submissions_approve_dki(submission_ids=ids, reviewer=librarian)
    assert not Decision.objects.exists()


def test_bulk_approval_of_dki_submissions(librarian):
    members = [submitted_member(nik=f"31710145069000{n:02d}") for n in range(1, 3)]
    result = services.submissions_approve_dki(
        submission_ids=[_submission(member).pk for member in members], reviewer=librarian
    )
    assert len(result.approved) == 2 and result.refused == []
    assert Member.objects.filter(status=Member.Status.TERVERIFIKASI).count() == 2


# --- Retention ---


def _files(private_media):
    return sorted(path.name for path in private_media.rglob("*") if path.is_file())


def test_documents_of_verified_members_go_after_the_retention_photo_stays(
    waiting_non_dki, librarian, private_media, django_capture_on_commit_callbacks
):
    with freeze_time("2026-01-01 10:00:00"):
        decision = services.submission_approve(submission_id=_submission(waiting_non_dki).pk, reviewer=librarian)
    assert len(_files(private_media)) == 3
    with freeze_time("2026-03-31 10:00:00"):  # 89 days
        assert services.documents_purge_expired() == 0
    with freeze_time("2026-04-02 10:00:00"), django_capture_on_commit_callbacks(execute=True):
        assert services.documents_purge_expired() == 2
    assert list(waiting_non_dki.documents.values_list("kind", flat=True)) == [Document.Kind.PHOTO]
    assert len(_files(private_media)) == 1
    assert Decision.objects.get() == decision  # the record stays
    assert Submission.objects.get().documents_deleted_at is not None


def test_documents_of_rejected_and_abandoned_submissions_go(
    librarian, private_media, django_capture_on_commit_callbacks
):
    with freeze_time("2026-01-01 10:00:00"):
        member = submitted_member(
            non_dki=True, nik="3273011203850002", gender="L", birth_date=datetime.date(1985, 3, 12)
        )
        _reject(_submission(member), librarian)
    with freeze_time("2026-04-02 10:00:00"), django_capture_on_commit_callbacks(execute=True):
        assert services.documents_purge_expired() == 3
    assert not Document.objects.exists()
    assert _files(private_media) == []
    assert Decision.objects.count() == 1


def test_a_rejected_member_still_fixing_keeps_the_documents(librarian):
    with freeze_time("2026-01-01 10:00:00"):
        waiting = submitted_member()
        _reject(_submission(waiting), librarian)
    with freeze_time("2026-03-20 10:00:00"):
        profile.member_photo_save(member=waiting, photo=samples.upload(samples.jpeg_bytes(), "baru.jpg"))
    with freeze_time("2026-04-02 10:00:00"):
        assert services.documents_purge_expired() == 0
    assert waiting.documents.count() == 1


def test_retention_is_a_setting(settings, waiting_non_dki, librarian):
    settings.DOCUMENT_RETENTION_DAYS = 30
    with freeze_time("2026-01-01 10:00:00"):
        services.submission_approve(submission_id=_submission(waiting_non_dki).pk, reviewer=librarian)
    with freeze_time("2026-02-01 10:00:00"):
        assert services.documents_purge_expired() == 2


def test_retention_task_calls_the_service(waiting_non_dki, librarian):
    from verification.tasks import documents_purge_expired

    with freeze_time("2026-01-01 10:00:00"):
        services.submission_approve(submission_id=_submission(waiting_non_dki).pk, reviewer=librarian)
    with freeze_time(datetime.datetime(2026, 6, 1, tzinfo=datetime.UTC)):
        assert documents_purge_expired.delay().get() == 2
