"""/berkas/<id>/: the only way to a private document, for the owner and permitted staff."""

import re
import uuid

import pytest
from django.contrib.auth.models import Permission

from members.models import Document, DocumentAccess
from members.services import profile as services
from tests.factories import MemberFactory, UserFactory

from . import samples

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def member():
    return MemberFactory()


@pytest.fixture
def photo(member):
    return services.member_photo_save(member=member, photo=samples.upload(samples.jpeg_bytes(), "IMG_siti.jpg"))


@pytest.fixture
def letter(member):
    services.member_ktp_update(
        member=member,
        ktp_origin="NON_DKI",
        letter_type="DOMISILI",
        ktp=samples.upload(samples.jpeg_bytes(900, 600), "ktp.jpg"),
        letter=samples.upload(samples.pdf_bytes(), "surat-domisili-siti.pdf", "application/pdf"),
    )
    return member.documents.get(kind=Document.Kind.LETTER)


def verifier(**extra):
    user = UserFactory(is_staff=True, **extra)
    user.user_permissions.add(Permission.objects.get(codename="view_private_document"))
    return user


def url(document) -> str:
    return f"/berkas/{document.pk}/"


def page_text(response) -> bytes:
    """The page without what differs by request anyway (CSRF token, the path in the language form)."""
    content = response.content.replace(response.wsgi_request.path.encode(), b"")
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", content)


def stored_bytes(document) -> bytes:
    with document.file.open("rb") as handle:
        return handle.read()


# --- Refused: always the same 404 --------------------------------------------------------


def test_anonymous_gets_404_not_a_login_redirect(client, photo):
    response = client.get(url(photo))

    assert response.status_code == 404
    assert not DocumentAccess.objects.exists()


def test_another_member_gets_404(client, photo):
    client.force_login(MemberFactory().user)

    assert client.get(url(photo)).status_code == 404


def test_staff_without_the_permission_gets_404(client, photo):
    client.force_login(UserFactory(is_staff=True))

    assert client.get(url(photo)).status_code == 404
    assert not DocumentAccess.objects.exists()


def test_permission_without_staff_status_is_not_enough(client, photo):
    user = UserFactory()
    user.user_permissions.add(Permission.objects.get(codename="view_private_document"))
    client.force_login(user)

    assert client.get(url(photo)).status_code == 404


def test_unknown_document_looks_the_same_as_a_forbidden_one(client, photo):
    client.force_login(MemberFactory().user)

    forbidden = client.get(url(photo))
    missing = client.get(f"/berkas/{uuid.uuid4()}/")

    assert forbidden.status_code == missing.status_code == 404
    assert page_text(forbidden) == page_text(missing)


def test_replaced_document_link_stops_working(client, member, photo):
    client.force_login(member.user)
    services.member_photo_save(member=member, photo=samples.upload(samples.jpeg_bytes(), "baru.jpg"))

    assert client.get(url(photo)).status_code == 404


def test_post_is_not_allowed(client, member, photo):
    client.force_login(member.user)

    assert client.post(url(photo)).status_code == 405


# --- Allowed -------------------------------------------------------------------------------


def test_owner_sees_the_photo_with_private_headers_and_no_log(client, member, photo):
    client.force_login(member.user)

    response = client.get(url(photo))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == stored_bytes(photo)
    assert response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"] == 'inline; filename="foto.jpg"'
    assert "sandbox" not in response.get("Content-Security-Policy", "")
    assert not DocumentAccess.objects.exists()


def test_permitted_staff_sees_it_and_the_access_is_logged(client, member, photo):
    staff = verifier()
    client.force_login(staff)

    response = client.get(url(photo))

    assert response.status_code == 200
    access = DocumentAccess.objects.get()
    assert (access.document, access.document_kind, access.member, access.viewer) == (photo, "PHOTO", member, staff)
    assert access.accessed_at is not None


def test_every_staff_view_is_logged(client, photo):
    client.force_login(verifier())

    client.get(url(photo))
    client.get(url(photo))

    assert DocumentAccess.objects.count() == 2


def test_superuser_is_allowed_implicitly_and_logged(client, photo):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    assert client.get(url(photo)).status_code == 200
    assert DocumentAccess.objects.count() == 1


def test_pdf_is_sandboxed(client, member, letter):
    client.force_login(verifier())

    response = client.get(url(letter))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Security-Policy"] == "sandbox"
    assert response["Content-Disposition"] == 'inline; filename="surat-keterangan.pdf"'
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")


def test_access_log_outlives_the_document(client, member, photo):
    client.force_login(verifier())
    client.get(url(photo))

    photo.delete()

    access = DocumentAccess.objects.get()
    assert (access.document, access.document_kind, access.member) == (None, "PHOTO", member)


# --- Storage -------------------------------------------------------------------------------


def test_private_files_have_no_url_and_a_random_name(photo, private_media):
    with pytest.raises(ValueError):
        photo.file.url  # noqa: B018

    assert photo.file.name.startswith("documents/")
    assert "siti" not in photo.file.name.lower()
    assert (private_media / photo.file.name).is_file()


def test_missing_file_on_disk_is_a_404(client, member, photo, private_media):
    (private_media / photo.file.name).unlink()
    client.force_login(member.user)

    assert client.get(url(photo)).status_code == 404
