"""Demo data for `make run`: staff logins and a few members. Safe to run again."""

import datetime

from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from jaklitera.roles import PETUGAS_LAYANAN, VERIFIKATOR
from members.models import Member, User

DEMO_PASSWORD = "jaklitera-demo"  # noqa: S105 - demo data only, printed for the newcomer


class Command(BaseCommand):
    help = "Create demo staff accounts and members (idempotent)."

    @transaction.atomic
    def handle(self, *args, **options):
        now = timezone.now()
        admin = self._user("admin@jaklitera.test", is_staff=True, is_superuser=True)
        librarian = self._user("pustakawan@jaklitera.test", is_staff=True)
        librarian.groups.add(Group.objects.get(name=VERIFIKATOR))
        desk = self._user("petugas@jaklitera.test", is_staff=True)
        desk.groups.add(Group.objects.get(name=PETUGAS_LAYANAN))
        member_user = self._user("anggota@jaklitera.test")
        Member.objects.update_or_create(
            user=member_user,
            defaults=dict(
                status=Member.Status.TERVERIFIKASI,
                full_name="Budi Santoso",
                nik="3171011203850002",
                birth_place="Jakarta",
                birth_date=datetime.date(1985, 3, 12),
                gender=Member.Gender.LAKI_LAKI,
                occupation="Karyawan swasta",
                ktp_origin=Member.KtpOrigin.DKI,
                address_street="Jl. Cikini Raya No. 10",
                address_rt="001",
                address_rw="002",
                address_kelurahan="Cikini",
                address_kecamatan="Menteng",
                address_city="Jakarta Pusat",
                address_province="DKI Jakarta",
                address_postal_code="10330",
                member_number="2026-000001",
                submitted_at=now,
                verified_at=now,
            ),
        )
        new_user = self._user("baru@jaklitera.test")
        Member.objects.get_or_create(user=new_user)
        # Visits: the week's sessions from the schedule, so Jadwal Kunjungan is not empty.
        from visits.services import sessions_generate

        sessions = sessions_generate()
        self.stdout.write(f"Visit sessions for the booking window: {sessions.created} created.")
        # Visits: the week's sessions from the schedule, so Jadwal Kunjungan is not empty.
        from visits.services import sessions_generate

        sessions = sessions_generate()
        self.stdout.write(f"Visit sessions for the booking window: {sessions.created} created.")
        self.stdout.write(self.style.SUCCESS("Demo data ready. Password for every demo account: " + DEMO_PASSWORD))
        for user, role in [
            (admin, "superuser (Django admin)"),
            (librarian, "Verifikator (pustakawan)"),
            (desk, "Petugas Layanan (front desk)"),
            (member_user, "member, TERVERIFIKASI"),
            (new_user, "member, belum terverifikasi"),
        ]:
            self.stdout.write(f"  {user.email:32} {role}")

    def _user(self, email, **flags):
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(email, DEMO_PASSWORD, phone="+6281200000000", **flags)
        user.is_active = True
        user.email_confirmed_at = user.email_confirmed_at or timezone.now()
        for key, value in flags.items():
            setattr(user, key, value)
        user.save()
        return user
