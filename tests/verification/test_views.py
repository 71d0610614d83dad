"""The queue in Django admin, through HTTP: who may reach it, the review page, decisions, documents."""

import pytest
from django.urls import reverse

from members.models import DocumentAccess, Member
from tests.factories import UserFactory
from verification.models import Decision, Submission

from .conftest import submitted_member

pytestmark = pytest.mark.django_db

QUEUE = "admin:verification_submission_changelist"


def _submission(member) -> Submission:
    return Submission.objects.get(member=member, status=Submission.Status.WAITING)


def _review_url(submission) -> str:
    return reverse("admin:verification_submission_change", args=[submission.pk])


# --- Who may reach the queue and the documents ---


def test_front_desk_staff_cannot_reach_the_queue_review_or_documents(client, desk, waiting_non_dki):
    submission = _submission(waiting_non_dki)
    client.force_login(desk)
    assert client.get(reverse(QUEUE)).status_code == 403
    assert client.get(_review_url(submission)).status_code == 403
    assert client.get(reverse("admin:verification_submission_next")).status_code == 403
    response = client.post(reverse("admin:verification_submission_approve", args=[submission.pk]))
    assert response.status_code == 403
    for document in waiting_non_dki.documents.all():
        assert client.get(reverse("members:document", args=[document.pk])).status_code == 404
    assert not DocumentAccess.objects.exists()
    assert not Decision.objects.exists()


def test_members_and_anonymous_are_sent_to_the_admin_login(client, waiting_non_dki):
    submission = _submission(waiting_non_dki)
    for user in (None, UserFactory()):
        if user:
            client.force_login(user)
        for url in (reverse(QUEUE), _review_url(submission), reverse("admin:verification_submission_next")):
            response = client.get(url)
            assert response.status_code == 302 and "/admin/login/" in response["Location"]
        for document in waiting_non_dki.documents.exclude(kind="PHOTO"):
            assert client.get(reverse("members:document", args=[document.pk])).status_code == 404


def test_librarian_sees_the_queue_oldest_first_with_waiting_time(client, librarian, django_assert_max_num_queries):
    from freezegun import freeze_time

    with freeze_time("2026-12-01 09:00:00"):
        submitted_member(nik="3171014506900011", full_name="Ani Lama")
    with freeze_time("2026-12-03 09:00:00"):
        submitted_member(nik="3171014506900012", full_name="Budi Baru")
    for n in range(3, 8):
        submitted_member(nik=f"31710145069000{n:02d}", full_name=f"Anggota {n}")
    client.force_login(librarian)
    with django_assert_max_num_queries(12):
        response = client.get(reverse(QUEUE))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.index("Ani Lama") < html.index("Budi Baru")
    assert "Tinjau berikutnya" in html
    assert "hari" in html  # waiting time, e.g. "3 hari, 2 jam"


def test_queue_filters_and_search(client, librarian, waiting, waiting_non_dki):
    client.force_login(librarian)
    url = reverse(QUEUE)
    dki = client.get(url, {"asal": "dki"}).content.decode()
    assert waiting.user.email in dki and waiting_non_dki.user.email not in dki
    non_dki = client.get(url, {"asal": "non-dki"}).content.decode()
    assert waiting_non_dki.user.email in non_dki and waiting.user.email not in non_dki
    assert waiting.user.email in client.get(url, {"menunggu": "lt1"}).content.decode()
    assert waiting.user.email not in client.get(url, {"menunggu": "gt3"}).content.decode()
    assert waiting.user.email not in client.get(url, {"is_resubmission__exact": "1"}).content.decode()
    by_nik = client.get(url, {"q": waiting_non_dki.nik}).content.decode()
    assert waiting_non_dki.user.email in by_nik and waiting.user.email not in by_nik
    # Phones are stored +62…; the librarian types 0812…
    national = "0" + waiting.user.phone[3:]
    assert waiting.user.email in client.get(url, {"q": national}).content.decode()
    assert waiting.user.email in client.get(url, {"q": waiting.user.email}).content.decode()


def test_next_claims_and_opens_the_review_page_with_documents_and_checks(client, librarian, waiting_non_dki):
    client.force_login(librarian)
    response = client.get(reverse("admin:verification_submission_next"))
    submission = _submission(waiting_non_dki)
    assert response["Location"] == _review_url(submission)
    submission.refresh_from_db()
    assert submission.claimed_by == librarian
    html = client.get(_review_url(submission)).content.decode()
    for document in waiting_non_dki.documents.all():
        assert reverse("members:document", args=[document.pk]) in html
    assert "Struktur NIK valid" in html
    assert "Buka KTP" not in html  # the KTP is an image, shown inline
    assert "(PDF)" in html  # the letter is a PDF: opened in its own tab
    # Opening the documents writes the access log.
    for document in waiting_non_dki.documents.all():
        assert client.get(reverse("members:document", args=[document.pk])).status_code == 200
    assert DocumentAccess.objects.filter(viewer=librarian).count() == 3
    assert set(DocumentAccess.objects.values_list("document_kind", flat=True)) == {"PHOTO", "KTP", "LETTER"}


def test_review_page_shows_duplicate_hints(client, librarian, waiting):
    other = submitted_member(nik=waiting.nik)  # same NIK
    UserFactory(phone=waiting.user.phone, email="ponsel@example.com")  # same phone
    client.force_login(librarian)
    html = client.get(_review_url(_submission(waiting))).content.decode()
    assert f"NIK yang sama dipakai akun lain: {other.user.email}" in html
    assert "Nomor ponsel yang sama dipakai akun lain: ponsel@example.com" in html
    assert "NIK ganda" in client.get(reverse(QUEUE)).content.decode()


def test_review_page_shows_a_bad_nik(client, librarian, waiting):
    Member.objects.filter(pk=waiting.pk).update(gender=Member.Gender.LAKI_LAKI)
    client.force_login(librarian)
    html = client.get(_review_url(_submission(waiting))).content.decode()
    assert "NIK tidak sesuai dengan jenis kelamin" in html


def test_approve_then_a_second_click_gets_a_clear_message(client, librarian, librarian2, waiting):
    submission = _submission(waiting)
    client.force_login(librarian)
    response = client.post(reverse("admin:verification_submission_approve", args=[submission.pk]), follow=True)
    assert "TERVERIFIKASI dengan nomor" in response.content.decode()
    client.force_login(librarian2)
    response = client.post(
        reverse("admin:verification_submission_reject", args=[submission.pk]),
        {"reasons": ["PHOTO_UNCLEAR"], "note": "Buram."},
        follow=True,
    )
    html = response.content.decode()
    assert "sudah diputuskan (Disetujui) oleh pustakawan@example.com" in html
    assert Decision.objects.count() == 1


def test_reject_without_reason_shows_the_form_again(client, librarian, waiting):
    submission = _submission(waiting)
    client.force_login(librarian)
    response = client.post(reverse("admin:verification_submission_reject", args=[submission.pk]), {"note": ""})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Pilih satu atau lebih alasan dari daftar." in html
    assert "Tulis penjelasan untuk anggota" in html
    assert not Decision.objects.exists()


def test_reject_with_reasons(client, librarian, waiting):
    submission = _submission(waiting)
    client.force_login(librarian)
    response = client.post(
        reverse("admin:verification_submission_reject", args=[submission.pk]),
        {"reasons": ["PHOTO_UNCLEAR", "OTHER"], "note": "Foto gelap."},
    )
    assert response.status_code == 302
    decision = Decision.objects.get()
    assert decision.reasons == ["PHOTO_UNCLEAR", "OTHER"] and decision.note == "Foto gelap."


def test_decide_requires_post(client, librarian, waiting):
    client.force_login(librarian)
    url = reverse("admin:verification_submission_approve", args=[_submission(waiting).pk])
    assert client.get(url).status_code == 405


def test_bulk_approve_action_refuses_non_dki(client, librarian, waiting, waiting_non_dki):
    client.force_login(librarian)
    ids = [str(_submission(waiting).pk), str(_submission(waiting_non_dki).pk)]
    response = client.post(reverse(QUEUE), {"action": "approve_dki", "_selected_action": ids}, follow=True)
    assert "harus diperiksa satu per satu" in response.content.decode()
    assert not Decision.objects.exists()
    response = client.post(reverse(QUEUE), {"action": "approve_dki", "_selected_action": ids[:1]}, follow=True)
    assert "1 pengajuan disetujui" in response.content.decode()


def test_admins_can_read_the_access_log_and_decisions_are_read_only(client, librarian, waiting):
    superuser = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(superuser)
    assert client.get(reverse("admin:members_documentaccess_changelist")).status_code == 200
    from verification import services

    decision = services.submission_approve(submission_id=_submission(waiting).pk, reviewer=librarian)
    assert client.get(reverse("admin:verification_decision_changelist")).status_code == 200
    response = client.post(reverse("admin:verification_decision_change", args=[decision.pk]), {"note": "x"})
    assert response.status_code == 403
    assert client.get(reverse("admin:verification_decision_delete", args=[decision.pk])).status_code == 403


def test_account_page_shows_each_status_and_the_rejection_reasons(client, librarian, waiting):
    from verification import services

    client.force_login(waiting.user)
    assert "menunggu verifikasi pustakawan" in client.get(reverse("members:account")).content.decode()
    services.submission_reject(
        submission_id=_submission(waiting).pk, reviewer=librarian, reasons=["PHOTO_UNCLEAR"], note="Foto gelap."
    )
    html = client.get(reverse("members:account")).content.decode()
    assert "Ditolak" in html and "Foto tidak jelas" in html and "Foto gelap." in html
    assert reverse("members:profile_start") in html
    from members.services import profile

    profile.member_submit(member=waiting)
    assert "menunggu verifikasi ulang" in client.get(reverse("members:account")).content.decode()


def test_skip_then_next_opens_the_following_submission(client, librarian, waiting, waiting_non_dki):
    client.force_login(librarian)
    first = client.get(reverse("admin:verification_submission_next"))
    first_id = int(first.url.rstrip("/").split("/")[-2])
    client.post(reverse("admin:verification_submission_skip", args=[first_id]))
    second = client.get(reverse("admin:verification_submission_next"))
    assert int(second.url.rstrip("/").split("/")[-2]) != first_id
