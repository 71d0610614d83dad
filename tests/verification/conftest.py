"""Fixtures for the review queue: librarians by group, and members with a submission waiting."""

import datetime

import pytest
from django.contrib.auth.models import Group

from jaklitera.roles import PETUGAS_LAYANAN, VERIFIKATOR, roles_sync
from members.models import Member
from members.services import profile
from tests.factories import CompleteMemberFactory, UserFactory
from tests.members import samples


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    return tmp_path


def _groups():
    # Transactional tests flush the tables (groups too); permissions come back on post_migrate.
    if not Group.objects.filter(name=VERIFIKATOR).exists():
        roles_sync()


def librarian_create(**extra):
    _groups()
    user = UserFactory(**{"is_staff": True, **extra})
    user.groups.add(Group.objects.get(name=VERIFIKATOR))
    return user


def desk_create(**extra):
    _groups()
    user = UserFactory(**{"is_staff": True, **extra})
    user.groups.add(Group.objects.get(name=PETUGAS_LAYANAN))
    return user


def submitted_member(*, non_dki: bool = False, **fields) -> Member:
    """A complete member with a photo (and KTP + letter outside DKI), submitted: MENUNGGU_VERIFIKASI."""
    member = CompleteMemberFactory(**fields)
    profile.member_photo_save(member=member, photo=samples.upload(samples.jpeg_bytes(), "foto.jpg"))
    if non_dki:
        profile.member_ktp_update(
            member=member,
            ktp_origin=Member.KtpOrigin.NON_DKI,
            letter_type=Member.LetterType.BEKERJA,
            ktp=samples.upload(samples.jpeg_bytes(900, 600), "ktp.jpg"),
            letter=samples.upload(samples.pdf_bytes(), "surat.pdf", "application/pdf"),
        )
        member.refresh_from_db()
        member.address_province = "Jawa Barat"
        member.save(update_fields=["address_province"])
    return profile.member_submit(member=member)


@pytest.fixture
def librarian():
    return librarian_create(email="pustakawan@example.com")


@pytest.fixture
def librarian2():
    return librarian_create(email="pustakawan2@example.com")


@pytest.fixture
def desk():
    return desk_create(email="petugas@example.com")


@pytest.fixture
def waiting():
    """A DKI member waiting in the queue."""
    return submitted_member()


@pytest.fixture
def waiting_non_dki():
    return submitted_member(non_dki=True, nik="3273011203850002", gender="L", birth_date=datetime.date(1985, 3, 12))
