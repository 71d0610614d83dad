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
        # Two submissions in the librarians' queue (issue 3), so /admin/ is not empty.
        waiting_user = self._user("menunggu@jaklitera.test")
        self._submission(waiting_user, full_name="Siti Rahmawati", nik="3171014506900001", non_dki=False)
        outside_user = self._user("luar@jaklitera.test")
        self._submission(outside_user, full_name="Andi Pratama", nik="3273011203850002", non_dki=True)
        # Visits: the week's sessions from the schedule, so Jadwal Kunjungan is not empty.
        from visits.services import sessions_generate

        sessions = sessions_generate()
        self.stdout.write(f"Visit sessions for the booking window: {sessions.created} created.")
        # The desk (issue 5): today's sessions have reservations for petugas@ to check in.
        booked = self._desk_demo(member_user)
        self.stdout.write(f"Desk demo: {booked} reservation(s) today (Daftar Kunjungan Hari Ini).")
        # Rombongan: one pending group request, so the staff's list in admin is not empty.
        self._group_request(self._user("guru@jaklitera.test"))
        self.stdout.write(self.style.SUCCESS("Demo data ready. Password for every demo account: " + DEMO_PASSWORD))
        for user, role in [
            (admin, "superuser (Django admin)"),
            (librarian, "Verifikator (pustakawan)"),
            (desk, "Petugas Layanan (front desk)"),
            (member_user, "member, TERVERIFIKASI"),
            (new_user, "member, belum terverifikasi"),
            (waiting_user, "member, menunggu verifikasi (DKI)"),
            (outside_user, "member, menunggu verifikasi (luar DKI: KTP + surat)"),
            (User.objects.get(email="guru@jaklitera.test"), "teacher: one Rombongan request waiting for approval"),
        ]:
            self.stdout.write(f"  {user.email:32} {role}")

    def _desk_demo(self, member_user) -> int:
        """Reservations in today's sessions still open for booking: Budi (member card 2026-000001,
        with a photo), visitors with children. Returns how many exist today (idempotent)."""
        from jaklitera.errors import ApplicationError
        from jaklitera.uploads import CleanFile
        from members.models import Document
        from members.services.documents import NewFiles, documents_replace
        from visits.models import Reservation, Session
        from visits.services import Child, reservation_create

        member = Member.objects.get(user=member_user)
        if not Document.objects.filter(member=member, kind=Document.Kind.PHOTO).exists():
            photo = _demo_photo()
            with NewFiles() as new_files, transaction.atomic():
                documents_replace(
                    member=member,
                    files={"PHOTO": CleanFile(content=photo, content_type="image/jpeg", width=600, height=800)},
                    new_files=new_files,
                )
        visitors = [(member_user, [])]
        for i, (name, children) in enumerate(
            [("Rina", [Child("Dewi", 7)]), ("Agus", []), ("Maya", [Child("Raka", 5), Child("Sinta", 9)]), ("Joko", [])],
            start=1,
        ):
            visitor = self._user(f"pengunjung{i}@jaklitera.test")
            visitor.phone = f"+62812000001{i:02d}"
            visitor.save(update_fields=["phone"])
            Member.objects.update_or_create(user=visitor, defaults={"full_name": f"{name} (demo)"})
            visitors.append((visitor, children))
        today = timezone.localdate()
        for session in Session.objects.filter(date=today, status=Session.Status.OPEN).order_by("starts_at"):
            for visitor, children in visitors:
                if Reservation.objects.filter(user=visitor, session=session).exists():
                    continue
                try:
                    reservation_create(user=visitor, session_id=session.pk, children=children, acknowledged=True)
                except ApplicationError:
                    break  # booking closed (late in the day), limit reached or full: nothing to add
        return Reservation.objects.filter(session__date=today, status=Reservation.Status.ACTIVE).count()

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

    def _group_request(self, user):
        """A school's group visit request, pending, holding 35 places in a session 3 days ahead."""
        from django.core.files.uploadedfile import SimpleUploadedFile

        from visits.models import GroupVisit, Session
        from visits.services import group_visit_create

        if GroupVisit.objects.filter(requester=user).exists():
            return
        day = timezone.localdate() + datetime.timedelta(days=3)
        session = Session.objects.filter(date=day, status=Session.Status.OPEN).order_by("starts_at").first()
        if session is None or session.places_left < 35:
            return
        group_visit_create(
            requester=user,
            institution_name="SD Negeri Cikini 01 (contoh)",
            institution_type=GroupVisit.InstitutionType.SCHOOL,
            contact_name="Ratna Dewi",
            contact_phone="081234567890",
            participants=35,
            children=33,
            age_group=GroupVisit.AgeGroup.PRIMARY,
            purpose="Kunjungan literasi siswa kelas 4: mengenal perpustakaan dan membaca bersama.",
            session_id=session.pk,
            alternative_session_id=None,
            letter=SimpleUploadedFile("surat.pdf", _demo_letter(), "application/pdf"),
        )

    def _submission(self, user, *, full_name, nik, non_dki):
        """A completed profile with a generated photo (and KTP + letter outside DKI), submitted."""
        from django.core.files.uploadedfile import SimpleUploadedFile

        from members.services import profile

        member, _created = Member.objects.get_or_create(user=user)
        if not member.is_editable:
            return  # already in the queue or decided
        profile.member_photo_save(member=member, photo=SimpleUploadedFile("foto.jpg", _demo_photo(), "image/jpeg"))
        is_female = int(nik[6:8]) > 40
        profile.member_personal_update(
            member=member,
            full_name=full_name,
            nik=nik,
            birth_place="Jakarta" if not non_dki else "Bandung",
            birth_date=datetime.date(1900 + int(nik[10:12]), int(nik[8:10]), int(nik[6:8]) - (40 if is_female else 0)),
            gender=Member.Gender.PEREMPUAN if is_female else Member.Gender.LAKI_LAKI,
            occupation="Guru" if is_female else "Mahasiswa",
            education=Member.Education.S1,
        )
        if non_dki:
            profile.member_ktp_update(
                member=member,
                ktp_origin=Member.KtpOrigin.NON_DKI,
                letter_type=Member.LetterType.SEKOLAH,
                ktp=SimpleUploadedFile("ktp.png", _demo_ktp(), "image/png"),
                letter=SimpleUploadedFile("surat.pdf", _demo_letter(), "application/pdf"),
            )
        else:
            profile.member_ktp_update(member=member, ktp_origin=Member.KtpOrigin.DKI)
        profile.member_address_update(
            member=member,
            street="Jl. Cikini Raya No. 73" if not non_dki else "Jl. Dago No. 12",
            rt="1",
            rw="2",
            kelurahan="Cikini" if not non_dki else "Dago",
            kecamatan="Menteng" if not non_dki else "Coblong",
            city="Jakarta Pusat" if not non_dki else "Kota Bandung",
            province="DKI Jakarta" if not non_dki else "Jawa Barat",
            postal_code="10330" if not non_dki else "40135",
        )
        profile.member_submit(member=member)


def _demo_photo() -> bytes:
    """A friendly placeholder portrait: face and shoulders on a plain background."""
    import io

    from PIL import Image, ImageDraw

    image = Image.new("RGB", (600, 800), (214, 226, 222))
    draw = ImageDraw.Draw(image)
    draw.ellipse((120, 560, 480, 900), fill=(11, 93, 75))
    draw.ellipse((190, 180, 410, 440), fill=(196, 150, 118))
    draw.chord((180, 150, 420, 330), 180, 360, fill=(40, 32, 28))
    draw.ellipse((245, 290, 265, 310), fill=(40, 32, 28))
    draw.ellipse((335, 290, 355, 310), fill=(40, 32, 28))
    draw.arc((260, 340, 340, 390), 20, 160, fill=(120, 60, 50), width=5)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=88)
    return out.getvalue()


def _demo_ktp() -> bytes:
    import io

    from PIL import Image, ImageDraw

    image = Image.new("RGB", (856, 540), (180, 205, 235))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 856, 70), fill=(120, 160, 210))
    draw.text((30, 25), "PROVINSI JAWA BARAT · KOTA BANDUNG (CONTOH)", fill="black")
    for row, text in enumerate(
        ["NIK : 3273011203850002", "Nama : ANDI PRATAMA", "Tempat/Tgl Lahir : BANDUNG, 12-03-1985"]
    ):
        draw.text((30, 110 + row * 40), text, fill="black")
    draw.rectangle((640, 110, 820, 350), fill=(230, 230, 230), outline="black")
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _demo_letter() -> bytes:
    import io

    from PIL import Image, ImageDraw

    page = Image.new("RGB", (595, 842), "white")
    ImageDraw.Draw(page).text((60, 80), "SURAT KETERANGAN SEKOLAH (CONTOH)", fill="black")
    out = io.BytesIO()
    page.save(out, "PDF")
    return out.getvalue()
