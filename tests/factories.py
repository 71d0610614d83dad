import datetime

import factory
from django.utils import timezone

from members.models import Member, User


class UserFactory(factory.django.DjangoModelFactory):
    """A confirmed, active account."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"kawan{n}@example.com")
    phone = factory.Sequence(lambda n: f"+62812{n:08d}")
    is_active = True
    email_confirmed_at = factory.LazyFunction(timezone.now)
    password = factory.PostGenerationMethodCall("set_password", "Rahasia-Kuat-123")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class UnconfirmedUserFactory(UserFactory):
    is_active = False
    email_confirmed_at = None


class MemberFactory(factory.django.DjangoModelFactory):
    """A member who has confirmed the email but not yet completed the data."""

    class Meta:
        model = Member

    user = factory.SubFactory(UserFactory)


class CompleteMemberFactory(MemberFactory):
    """A DKI member with every field filled, ready to submit."""

    full_name = "Siti Rahmawati"
    nik = "3171014506900001"
    birth_place = "Jakarta"
    birth_date = datetime.date(1990, 6, 5)
    gender = Member.Gender.PEREMPUAN
    occupation = "Guru"
    education = Member.Education.S1
    ktp_origin = Member.KtpOrigin.DKI
    address_street = "Jl. Cikini Raya No. 73"
    address_rt = "001"
    address_rw = "002"
    address_kelurahan = "Cikini"
    address_kecamatan = "Menteng"
    address_city = "Jakarta Pusat"
    address_province = "DKI Jakarta"
    address_postal_code = "10330"


class VerifiedMemberFactory(CompleteMemberFactory):
    """An Anggota: a member whose data the librarians verified."""

    status = Member.Status.TERVERIFIKASI
    nik = factory.Sequence(lambda n: f"3171{n:012d}")
