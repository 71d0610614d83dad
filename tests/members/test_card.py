"""The digital member card (page, PNG, PDF), the data download and closing the account."""

import io
import json

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from PIL import Image
from pypdf import PdfReader

from jaklitera.roles import VERIFIKATOR
from members.models import Document, Member, User
from members.services import card as card_services
from tests.factories import MemberFactory, UserFactory
from tests.verification.conftest import submitted_member
from verification import services as verification
from verification.models import Decision, Submission

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def verified():
    member = submitted_member(full_name="Siti Rahmawati Kusumaningrum Wijayakusuma")
    librarian = UserFactory(is_staff=True)
    librarian.groups.add(Group.objects.get(name=VERIFIKATOR))
    submission = Submission.objects.get(member=member)
    verification.submission_approve(submission_id=submission.pk, reviewer=librarian)
    member.refresh_from_db()
    return member


def test_card_page_shows_name_number_valid_from_photo_and_qr(client, verified):
    client.force_login(verified.user)
    response = client.get(reverse("members:card"))
    html = response.content.decode()
    assert response.status_code == 200
    assert verified.full_name in html and verified.member_number in html
    assert "Berlaku sejak" in html
    assert "data:image/svg+xml;base64," in html
    photo = verified.documents.get(kind=Document.Kind.PHOTO)
    assert reverse("members:document", args=[photo.pk]) in html
    assert response["Cache-Control"] == "private, no-store"


def test_card_png_decodes_at_id1_size(client, verified):
    client.force_login(verified.user)
    response = client.get(reverse("members:card_png"))
    assert response["Content-Type"] == "image/png"
    assert f"kartu-anggota-{verified.member_number}.png" in response["Content-Disposition"]
    image = Image.open(io.BytesIO(response.content))
    image.load()
    assert image.format == "PNG" and image.size == (1011, 638)


def test_card_pdf_is_readable_and_contains_the_member_number(client, verified):
    client.force_login(verified.user)
    response = client.get(reverse("members:card_pdf"))
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    assert verified.member_number in text
    assert "Siti Rahmawati" in text
    box = reader.pages[0].mediabox
    assert round(float(box.width) / 72 * 25.4, 1) == 85.6 and round(float(box.height) / 72 * 25.4, 1) == 54.0


def test_card_renders_without_a_photo_file(verified, private_media):
    for path in private_media.rglob("*"):
        if path.is_file():
            path.unlink()
    card = card_services.card_get(member=verified)
    Image.open(io.BytesIO(card_services.card_png(card=card))).load()
    assert verified.member_number in PdfReader(io.BytesIO(card_services.card_pdf(card=card))).pages[0].extract_text()


@pytest.mark.parametrize("status", ["BELUM_TERVERIFIKASI", "MENUNGGU_VERIFIKASI", "DITOLAK"])
def test_no_card_before_verification(client, status):
    member = MemberFactory(status=status)
    client.force_login(member.user)
    for name in ("members:card", "members:card_png", "members:card_pdf"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and response["Location"] == reverse("members:account")


def test_card_needs_login(client):
    response = client.get(reverse("members:card"))
    assert response.status_code == 302 and "/masuk/" in response["Location"]


def test_account_page_links_the_card(client, verified):
    client.force_login(verified.user)
    html = client.get(reverse("members:account")).content.decode()
    assert "Terverifikasi" in html and verified.member_number in html
    assert reverse("members:card") in html


# --- The member's data ---


def test_data_download_is_json_with_everything_but_staff_names(client, verified):
    client.force_login(verified.user)
    response = client.get(reverse("members:data_export"))
    assert response["Content-Disposition"].startswith("attachment")
    data = json.loads(response.content)
    assert data["account"]["email"] == verified.user.email
    assert data["member"]["nik"] == verified.nik and data["member"]["member_number"] == verified.member_number
    assert [d["kind"] for d in data["documents"]] == ["PHOTO"]
    assert data["submissions"][0]["decisions"][0]["outcome"] == "APPROVED"
    assert "@" not in json.dumps(data["submissions"])  # the librarian is not named


def test_closing_the_account_deletes_the_person_and_keeps_the_decision(client, verified, private_media):
    client.force_login(verified.user)
    response = client.post(reverse("members:account_close"), {"password": "salah"})
    assert response.status_code == 400 and User.objects.filter(pk=verified.pk).exists()
    response = client.post(reverse("members:account_close"), {"password": "Rahasia-Kuat-123"})
    assert response.status_code == 302
    assert not User.objects.filter(pk=verified.pk).exists()
    assert not Member.objects.exists() and not Document.objects.exists()
    decision = Decision.objects.get()
    assert decision.submission.member is None and decision.submission.snapshot == {}
    assert client.get(reverse("members:account")).status_code == 302  # logged out


def test_closing_while_waiting_takes_the_submission_out_of_the_queue(client):
    member = submitted_member()
    client.force_login(member.user)
    client.post(reverse("members:account_close"), {"password": "Rahasia-Kuat-123"})
    assert Submission.objects.get().status == Submission.Status.WITHDRAWN


def test_staff_cannot_close_their_account_here(client):
    staff = UserFactory(is_staff=True)
    client.force_login(staff)
    response = client.post(reverse("members:account_close"), {"password": "Rahasia-Kuat-123"})
    assert response.status_code == 302 and User.objects.filter(pk=staff.pk).exists()
