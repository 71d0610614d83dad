import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jaklitera.storage import get_private_storage


class UserManager(BaseUserManager):
    use_in_migrations = True

    @classmethod
    def normalize_email(cls, email):
        # The whole address is compared case-insensitively: people type it both ways.
        return (email or "").strip().lower()

    def get_by_natural_key(self, username):
        return self.get(email=self.normalize_email(username))

    def create_user(self, email, password=None, **extra):
        user = self.model(email=self.normalize_email(email), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        extra.setdefault("is_active", True)
        extra.setdefault("email_confirmed_at", timezone.now())
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """An account. Email is the login; it is usable once the email is confirmed by OTP."""

    email = models.EmailField(_("email"), max_length=254, unique=True)
    phone = models.CharField(
        _("nomor ponsel"), max_length=20, blank=True, help_text=_("Format E.164, mis. +628123456789")
    )
    language = models.CharField(_("bahasa"), max_length=8, choices=settings.LANGUAGES, default="id")
    is_active = models.BooleanField(_("aktif"), default=False)
    is_staff = models.BooleanField(_("staf"), default=False)
    email_confirmed_at = models.DateTimeField(_("email dikonfirmasi"), null=True, blank=True)
    date_joined = models.DateTimeField(_("tanggal daftar"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("akun")
        verbose_name_plural = _("akun")
        constraints = [models.UniqueConstraint(Lower("email"), name="members_user_email_ci_unique")]

    def __str__(self) -> str:
        return self.email

    @property
    def email_confirmed(self) -> bool:
        return self.email_confirmed_at is not None


class Member(models.Model):
    """The library membership of a confirmed account: personal data and verification status."""

    class Status(models.TextChoices):
        BELUM_TERVERIFIKASI = "BELUM_TERVERIFIKASI", _("Belum Terverifikasi")
        MENUNGGU_VERIFIKASI = "MENUNGGU_VERIFIKASI", _("Menunggu Verifikasi")
        TERVERIFIKASI = "TERVERIFIKASI", _("Terverifikasi")
        DITOLAK = "DITOLAK", _("Ditolak")

    class Gender(models.TextChoices):
        LAKI_LAKI = "L", _("Laki-laki")
        PEREMPUAN = "P", _("Perempuan")

    class Education(models.TextChoices):
        SD = "SD", _("SD / sederajat")
        SMP = "SMP", _("SMP / sederajat")
        SMA = "SMA", _("SMA / SMK / sederajat")
        DIPLOMA = "DIPLOMA", _("Diploma (D1–D4)")
        S1 = "S1", _("Sarjana (S1)")
        S2 = "S2", _("Magister (S2)")
        S3 = "S3", _("Doktor (S3)")
        LAINNYA = "LAINNYA", _("Lainnya")

    class KtpOrigin(models.TextChoices):
        DKI = "DKI", _("e-KTP DKI Jakarta")
        NON_DKI = "NON_DKI", _("KTP luar DKI Jakarta")

    class LetterType(models.TextChoices):
        DOMISILI = "DOMISILI", _("Surat Keterangan Domisili")
        BEKERJA = "BEKERJA", _("Surat Keterangan Bekerja")
        SEKOLAH = "SEKOLAH", _("Surat Keterangan Sekolah")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, primary_key=True, on_delete=models.CASCADE, related_name="member"
    )
    status = models.CharField(_("status"), max_length=24, choices=Status.choices, default=Status.BELUM_TERVERIFIKASI)

    full_name = models.CharField(_("nama lengkap sesuai KTP"), max_length=150, blank=True)
    nik = models.CharField(_("NIK"), max_length=16, blank=True, db_index=True)
    birth_place = models.CharField(_("tempat lahir"), max_length=100, blank=True)
    birth_date = models.DateField(_("tanggal lahir"), null=True, blank=True)
    gender = models.CharField(_("jenis kelamin"), max_length=1, choices=Gender.choices, blank=True)
    occupation = models.CharField(_("pekerjaan"), max_length=100, blank=True)
    education = models.CharField(_("pendidikan terakhir"), max_length=10, choices=Education.choices, blank=True)

    ktp_origin = models.CharField(_("asal KTP"), max_length=8, choices=KtpOrigin.choices, blank=True)
    letter_type = models.CharField(_("jenis surat keterangan"), max_length=10, choices=LetterType.choices, blank=True)

    address_street = models.CharField(_("alamat (jalan, nomor)"), max_length=255, blank=True)
    address_rt = models.CharField(_("RT"), max_length=3, blank=True)
    address_rw = models.CharField(_("RW"), max_length=3, blank=True)
    address_kelurahan = models.CharField(_("kelurahan/desa"), max_length=100, blank=True)
    address_kecamatan = models.CharField(_("kecamatan"), max_length=100, blank=True)
    address_city = models.CharField(_("kota/kabupaten"), max_length=100, blank=True)
    address_province = models.CharField(_("provinsi"), max_length=100, blank=True)
    address_postal_code = models.CharField(_("kode pos"), max_length=5, blank=True)

    member_number = models.CharField(_("nomor anggota"), max_length=20, unique=True, null=True, blank=True)
    submitted_at = models.DateTimeField(_("diajukan"), null=True, blank=True)
    verified_at = models.DateTimeField(_("diverifikasi"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("anggota")
        verbose_name_plural = _("anggota")
        constraints = [
            # A NIK belongs to one verified member.
            models.UniqueConstraint(
                fields=["nik"], condition=models.Q(status="TERVERIFIKASI"), name="members_member_verified_nik_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(
                    status__in=["BELUM_TERVERIFIKASI", "MENUNGGU_VERIFIKASI", "TERVERIFIKASI", "DITOLAK"]
                ),
                name="members_member_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.user.email

    @property
    def is_editable(self) -> bool:
        return self.status in (self.Status.BELUM_TERVERIFIKASI, self.Status.DITOLAK)

    @property
    def is_verified(self) -> bool:
        return self.status == self.Status.TERVERIFIKASI

    @property
    def needs_documents(self) -> bool:
        return self.ktp_origin == self.KtpOrigin.NON_DKI


# The personal data a member types in Lengkapi Data (copied into a submission, exported on request).
MEMBER_DATA_FIELDS = (
    "full_name",
    "nik",
    "birth_place",
    "birth_date",
    "gender",
    "occupation",
    "education",
    "ktp_origin",
    "letter_type",
    "address_street",
    "address_rt",
    "address_rw",
    "address_kelurahan",
    "address_kecamatan",
    "address_city",
    "address_province",
    "address_postal_code",
)


def document_path(instance, filename):
    # Random names: nothing about the person or the original file name lands on disk.
    return f"documents/{uuid.uuid4().hex}{instance.extension}"


class Document(models.Model):
    """One uploaded file of a member: the close-up photo, the KTP or the letter."""

    class Kind(models.TextChoices):
        PHOTO = "PHOTO", _("Foto close-up")
        KTP = "KTP", _("KTP")
        LETTER = "LETTER", _("Surat keterangan domisili/bekerja/sekolah")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("jenis"), max_length=8, choices=Kind.choices)
    file = models.FileField(storage=get_private_storage, upload_to=document_path, max_length=200)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("dokumen")
        verbose_name_plural = _("dokumen")
        constraints = [models.UniqueConstraint(fields=["member", "kind"], name="members_document_one_per_kind")]
        permissions = [("view_private_document", _("Dapat melihat foto, KTP dan surat anggota"))]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.member_id}"

    @property
    def extension(self) -> str:
        return {"image/jpeg": ".jpg", "image/png": ".png", "application/pdf": ".pdf"}[self.content_type]

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


class DocumentAccess(models.Model):
    """Written every time staff open a member's document (PDP law: who saw what, when)."""

    document = models.ForeignKey(Document, null=True, on_delete=models.SET_NULL, related_name="accesses")
    document_kind = models.CharField(_("jenis dokumen"), max_length=8, choices=Document.Kind.choices)
    member = models.ForeignKey(Member, null=True, on_delete=models.SET_NULL, related_name="+")
    viewer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    accessed_at = models.DateTimeField(_("waktu akses"), auto_now_add=True)

    class Meta:
        verbose_name = _("log akses dokumen")
        verbose_name_plural = _("log akses dokumen")
        ordering = ["-accessed_at"]

    def __str__(self) -> str:
        return f"{self.viewer_id} → {self.document_kind} ({self.accessed_at:%Y-%m-%d %H:%M})"
