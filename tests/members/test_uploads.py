"""jaklitera/uploads.py with real files: nothing is trusted by name or content type."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image
from pypdf import PdfWriter

from jaklitera.uploads import PDF, UploadError, document_clean, image_clean

from . import samples


def photo_clean(data: bytes, name: str = "foto.jpg", content_type: str = "image/jpeg", **kwargs):
    return image_clean(upload=samples.upload(data, name, content_type), min_width=300, min_height=400, **kwargs)


def opened(content: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(content))
    image.load()
    return image


def assert_no_metadata(content: bytes) -> None:
    image = opened(content)
    assert dict(image.getexif()) == {}
    assert not {"exif", "icc_profile", "comment", "xmp", "Comment"} & set(image.info)
    for marker in (b"Exif", b"GPS", b"eXIf", b"tEXt", b"zTXt", b"iTXt", b"KameraRahasia", b"Rahasia"):
        assert marker not in content


# --- Good images ----------------------------------------------------------------------


def test_valid_jpeg_is_reencoded_without_exif_gps_or_comment():
    original = samples.jpeg_bytes(600, 800)
    assert opened(original).getexif().get_ifd(ExifTags.IFD.GPSInfo)  # precondition: it has GPS

    clean = photo_clean(original)

    assert (clean.content_type, clean.width, clean.height) == ("image/jpeg", 600, 800)
    assert opened(clean.content).format == "JPEG"
    assert clean.size == len(clean.content)
    assert_no_metadata(clean.content)


def test_png_with_gps_exif_is_stripped():
    original = samples.png_with_gps_bytes()
    before = opened(original)
    assert before.getexif().get_ifd(ExifTags.IFD.GPSInfo)[ExifTags.GPS.GPSLatitudeRef] == "S"
    assert before.info["Comment"] == "Jl. Rahasia No. 1"

    clean = photo_clean(original, "foto.png", "image/png")

    assert clean.content_type == "image/png"
    after = opened(clean.content)
    assert after.getexif().get_ifd(ExifTags.IFD.GPSInfo) == {}
    assert_no_metadata(clean.content)


def test_exif_orientation_is_applied_to_the_pixels():
    # Stored landscape 500×350, shown turned a quarter (orientation 6): portrait 350×500.
    clean = photo_clean(samples.jpeg_bytes(500, 350, orientation=6))

    assert (clean.width, clean.height) == (350, 500)
    image = opened(clean.content).convert("L")
    # The dark square, stored top-left, is shown top-right after the turn.
    assert image.getpixel((340, 10)) < 60
    assert image.getpixel((10, 10)) > 150
    assert dict(image.getexif()) == {}


def test_huge_image_is_scaled_down_to_max_side():
    clean = photo_clean(samples.jpeg_bytes(4000, 3000), max_side=1600)

    assert (clean.width, clean.height) == (1600, 1200)


def test_scaling_down_never_goes_under_the_minimum():
    clean = photo_clean(samples.jpeg_bytes(300, 2000), max_side=1600)

    assert clean.width >= 300 and clean.height >= 400


def test_jpeg_named_png_with_wrong_content_type_is_judged_by_content():
    clean = photo_clean(samples.jpeg_bytes(), "foto.png", "image/png")

    assert clean.content_type == "image/jpeg"


def test_cmyk_jpeg_becomes_rgb():
    out = io.BytesIO()
    Image.new("CMYK", (400, 500), (0, 128, 128, 0)).save(out, format="JPEG")

    clean = photo_clean(out.getvalue())

    assert opened(clean.content).mode == "RGB"


def test_png_with_transparency_keeps_alpha():
    out = io.BytesIO()
    Image.new("RGBA", (400, 500), (10, 20, 30, 0)).save(out, format="PNG")

    clean = photo_clean(out.getvalue(), "foto.png", "image/png")

    assert opened(clean.content).mode == "RGBA"


# --- Refused ---------------------------------------------------------------------------


def test_pdf_renamed_jpg_is_refused_for_the_photo():
    with pytest.raises(UploadError) as caught:
        photo_clean(samples.pdf_bytes(), "foto.jpg", "image/jpeg")

    assert caught.value.code == "not_image"
    assert str(caught.value) == "Berkas harus berupa gambar JPEG atau PNG."


def test_other_image_formats_are_refused():
    out = io.BytesIO()
    Image.new("RGB", (400, 500)).save(out, format="GIF")

    with pytest.raises(UploadError) as caught:
        photo_clean(out.getvalue(), "foto.jpg")

    assert caught.value.code == "not_image"


class CountingUpload(SimpleUploadedFile):
    """Remembers how much was read from it."""

    bytes_read = 0

    def read(self, *args, **kwargs):
        data = super().read(*args, **kwargs)
        self.bytes_read += len(data)
        return data


def test_six_megabyte_file_is_refused_before_reading_it():
    upload = CountingUpload("foto.jpg", samples.oversized_jpeg_bytes(), content_type="image/jpeg")
    assert upload.size == 6 * 1024 * 1024

    with pytest.raises(UploadError) as caught:
        image_clean(upload=upload)

    assert caught.value.code == "too_large"
    assert str(caught.value) == "Ukuran berkas maksimal 5 MB."
    assert upload.bytes_read == 0


def test_stream_that_hides_its_size_is_read_only_up_to_the_limit(settings):
    upload = CountingUpload("foto.jpg", samples.oversized_jpeg_bytes(), content_type="image/jpeg")
    upload.size = None

    with pytest.raises(UploadError) as caught:
        document_clean(upload=upload)

    assert caught.value.code == "too_large"
    assert upload.bytes_read == settings.UPLOAD_MAX_BYTES + 1


def test_decompression_bomb_over_our_pixel_limit_is_refused_from_the_header():
    bomb = samples.png_bomb_bytes(10_000, 7_000)  # 70 Mpx in a few kB (limit: 64 Mpx)
    assert len(bomb) < 50_000

    with pytest.raises(UploadError) as caught:
        photo_clean(bomb, "foto.png", "image/png")

    assert caught.value.code == "too_many_pixels"


def test_decompression_bomb_that_pillow_itself_refuses_is_a_clear_error():
    bomb = samples.png_bomb_bytes(20_000, 20_000)  # 400 Mpx: Pillow raises DecompressionBombError

    with pytest.raises(UploadError) as caught:
        document_clean(upload=samples.upload(bomb, "ktp.png", "image/png"))

    assert caught.value.code == "too_many_pixels"


def test_decompression_bomb_warning_is_turned_into_an_error(settings, monkeypatch):
    # Between Pillow's limit and twice that, Pillow only warns: that must refuse too.
    settings.IMAGE_MAX_PIXELS = 10**9
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1_000_000)

    with pytest.raises(UploadError) as caught:
        photo_clean(samples.png_bomb_bytes(1_500, 1_000), "foto.png", "image/png")

    assert caught.value.code == "too_many_pixels"


@pytest.mark.parametrize("data", [samples.truncated_jpeg_bytes(), samples.truncated_png_bytes()], ids=["jpeg", "png"])
def test_truncated_image_is_refused(data):
    with pytest.raises(UploadError) as caught:
        photo_clean(data)

    assert caught.value.code == "corrupt_image"
    assert str(caught.value) == "Gambar rusak atau tidak lengkap."


def test_png_with_a_broken_checksum_is_refused():
    data = bytearray(samples.png_with_gps_bytes())
    idat = data.index(b"IDAT")
    data[idat + 10] ^= 0xFF

    with pytest.raises(UploadError) as caught:
        photo_clean(bytes(data), "foto.png", "image/png")

    assert caught.value.code == "corrupt_image"


def test_too_small_photo_is_refused():
    with pytest.raises(UploadError) as caught:
        photo_clean(samples.jpeg_bytes(200, 300))

    assert caught.value.code == "too_small"
    assert str(caught.value) == "Foto minimal 300×400 piksel."


def test_minimum_is_judged_after_orientation():
    # 400×300 stored, but shown upright as 300×400 (orientation 8): acceptable.
    clean = photo_clean(samples.jpeg_bytes(400, 300, orientation=8))
    assert (clean.width, clean.height) == (300, 400)

    # Without the turn, 400×300 is too low.
    with pytest.raises(UploadError):
        photo_clean(samples.jpeg_bytes(400, 300))


@pytest.mark.parametrize("data, code", [(b"", "empty"), (None, "required")])
def test_empty_or_missing_upload(data, code):
    upload = None if data is None else samples.upload(data)

    with pytest.raises(UploadError) as caught:
        image_clean(upload=upload)

    assert caught.value.code == code


# --- Documents (KTP, letter) ---------------------------------------------------------


def test_valid_pdf_is_accepted_unchanged():
    data = samples.pdf_bytes(pages=2)

    clean = document_clean(upload=samples.upload(data, "surat.pdf", "application/pdf"))

    assert (clean.content_type, clean.content, clean.width) == (PDF, data, None)


def test_fake_pdf_is_refused():
    with pytest.raises(UploadError) as caught:
        document_clean(upload=samples.upload(samples.fake_pdf_bytes(), "surat.pdf", "application/pdf"))

    assert caught.value.code == "corrupt_pdf"


def test_jpeg_renamed_pdf_is_judged_by_content():
    clean = document_clean(upload=samples.upload(samples.jpeg_bytes(), "surat.pdf", "application/pdf"))

    assert clean.content_type == "image/jpeg"
    assert_no_metadata(clean.content)


def test_small_image_is_fine_for_a_document():
    clean = document_clean(upload=samples.upload(samples.jpeg_bytes(120, 80), "ktp.jpg"))

    assert (clean.width, clean.height) == (120, 80)


def test_anything_else_is_refused_as_a_document():
    with pytest.raises(UploadError) as caught:
        document_clean(upload=samples.upload(b"<html><script>alert(1)</script></html>", "surat.pdf"))

    assert caught.value.code == "not_document"


def _encrypted_pdf(user_password: str) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.encrypt(user_password=user_password, owner_password="pemilik", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_pdf_needing_a_password_is_refused():
    with pytest.raises(UploadError) as caught:
        document_clean(upload=samples.upload(_encrypted_pdf("rahasia"), "surat.pdf"))

    assert caught.value.code == "encrypted_pdf"


def test_pdf_with_only_an_owner_password_opens_and_is_accepted():
    clean = document_clean(upload=samples.upload(_encrypted_pdf(""), "surat.pdf"))

    assert clean.content_type == PDF
