"""The library's announced hours: every day 09.00–17.00 WIB, sessions 09.00–13.00 and
13.00–17.00 of 300 visitors each (last check-in one hour before the end), and the
default house rules and health protocol. Staff change all of it in admin."""

import datetime

from django.db import migrations

HOUSE_RULES = """1. Tunjukkan kode reservasi atau kode QR kepada petugas saat check-in.
2. Datang sesuai sesi yang dipesan; check-in ditutup satu jam sebelum sesi berakhir.
3. Anak-anak wajib didampingi orang tua atau wali selama di perpustakaan.
4. Jaga ketenangan dan kebersihan; makanan dan minuman hanya di area yang disediakan.
5. Tas besar dititipkan di loker; bahan pustaka dikembalikan ke tempat yang ditentukan.
6. Non Anggota hanya dapat membaca di tempat; peminjaman buku hanya untuk Anggota terverifikasi."""

HEALTH_PROTOCOL = """1. Jika sedang demam, batuk atau pilek, mohon tunda kunjungan Anda.
2. Cuci tangan atau gunakan hand sanitizer yang tersedia di pintu masuk.
3. Ikuti arahan petugas terkait protokol kesehatan yang berlaku."""


def forwards(apps, schema_editor):
    WeekdaySchedule = apps.get_model("visits", "WeekdaySchedule")
    SessionSlot = apps.get_model("visits", "SessionSlot")
    VisitNotice = apps.get_model("visits", "VisitNotice")
    t = datetime.time
    for weekday in range(7):
        schedule, created = WeekdaySchedule.objects.get_or_create(
            weekday=weekday, defaults={"is_open": True, "opens_at": t(9), "closes_at": t(17)}
        )
        if created:
            SessionSlot.objects.create(
                schedule=schedule, starts_at=t(9), ends_at=t(13), last_checkin_at=t(12), capacity=300
            )
            SessionSlot.objects.create(
                schedule=schedule, starts_at=t(13), ends_at=t(17), last_checkin_at=t(16), capacity=300
            )
    if not VisitNotice.objects.exists():
        VisitNotice.objects.create(house_rules=HOUSE_RULES, health_protocol=HEALTH_PROTOCOL)


class Migration(migrations.Migration):
    dependencies = [("visits", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
