"""Cleaning of untrusted uploads (member photos, KTP scans, letters; later group letters).

Nothing about an upload is trusted: not its name, not the browser's content type.
Images are decoded with Pillow and re-encoded from their pixels alone, so no EXIF,
GPS, comment, XMP or ICC data survives; a PDF must start like a PDF and parse with
pypdf. The result is a ``CleanFile`` held in memory (uploads are at most
``settings.UPLOAD_MAX_BYTES``), ready to be written to private storage.
"""

import io
import math
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError
from pypdf import PdfReader

from jaklitera.errors import ApplicationError

# Images larger than this on their longest side are scaled down: enough for a librarian
# to read a KTP scan, and it keeps stored files small.
IMAGE_MAX_SIDE = 2400
JPEG_QUALITY = 88

JPEG = "image/jpeg"
PNG = "image/png"
PDF = "application/pdf"

_JPEG_MAGIC = b"\xff\xd8\xff"
_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
_PDF_MAGIC = b"%PDF-"

# Orientation tags that turn the image a quarter: width and height swap.
_EXIF_ORIENTATION = 0x0112
_QUARTER_TURNS = {5, 6, 7, 8}


class UploadError(ApplicationError):
    """An upload was refused. ``code`` says why (tests and logs); the message is for the person."""

    MESSAGES = {
        "required": _("Pilih berkas untuk diunggah."),
        "empty": _("Berkas kosong."),
        "too_large": _("Ukuran berkas maksimal %(megabytes)s MB."),
        "not_image": _("Berkas harus berupa gambar JPEG atau PNG."),
        "not_document": _("Berkas harus berupa gambar JPEG atau PNG, atau dokumen PDF."),
        "too_many_pixels": _("Resolusi gambar terlalu besar. Kecilkan gambar lalu unggah kembali."),
        "corrupt_image": _("Gambar rusak atau tidak lengkap."),
        "too_small": _("Foto minimal %(width)s×%(height)s piksel."),
        "corrupt_pdf": _("Berkas PDF rusak atau bukan PDF yang sah."),
        "encrypted_pdf": _("PDF dilindungi kata sandi. Unggah PDF tanpa kata sandi."),
    }

    def __init__(self, code: str, **params):
        self.code = code
        message = self.MESSAGES[code]
        if params:
            message = message % params
        super().__init__(message)


@dataclass(frozen=True)
class CleanFile:
    """An upload that passed the checks; ``content`` is what gets stored."""

    content: bytes
    content_type: str
    width: int | None = None
    height: int | None = None

    @property
    def size(self) -> int:
        return len(self.content)


def image_clean(
    *,
    upload,
    min_width: int | None = None,
    min_height: int | None = None,
    max_side: int = IMAGE_MAX_SIDE,
) -> CleanFile:
    """Decode a JPEG or PNG upload and re-encode it clean.

    The orientation from EXIF is applied to the pixels; the result carries no
    metadata at all and is at most ``max_side`` on its longest side (never scaled
    below the minimum). ``min_width``/``min_height`` apply after orientation.

    Raises UploadError (codes: required, empty, too_large, not_image,
    too_many_pixels, corrupt_image, too_small).
    """
    data = _read_limited(upload)
    return _image_from_bytes(data, min_width=min_width, min_height=min_height, max_side=max_side)


def document_clean(*, upload) -> CleanFile:
    """Accept a JPEG/PNG (cleaned as by ``image_clean``, no minimum size) or a real PDF.

    The kind is judged by content only: a JPEG named ``.pdf`` is a JPEG.
    A PDF is stored as uploaded after it parsed; it is served sandboxed.

    Raises UploadError (codes: required, empty, too_large, not_document,
    too_many_pixels, corrupt_image, corrupt_pdf, encrypted_pdf).
    """
    data = _read_limited(upload)
    if data.startswith(_PDF_MAGIC):
        _pdf_check(data)
        return CleanFile(content=data, content_type=PDF)
    if data.startswith((_JPEG_MAGIC, _PNG_MAGIC)):
        return _image_from_bytes(data, min_width=None, min_height=None, max_side=IMAGE_MAX_SIDE)
    raise UploadError("not_document")


def _read_limited(upload) -> bytes:
    """Read the upload, refusing it on its declared size and again while reading."""
    if upload is None:
        raise UploadError("required")
    limit = settings.UPLOAD_MAX_BYTES
    megabytes = limit // (1024 * 1024)
    declared = getattr(upload, "size", None)
    if declared is not None and declared > limit:
        raise UploadError("too_large", megabytes=megabytes)
    upload.seek(0)
    # One byte over the limit is enough to know; never read an unbounded stream.
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise UploadError("too_large", megabytes=megabytes)
    if not data:
        raise UploadError("empty")
    return data


def _image_from_bytes(data: bytes, *, min_width: int | None, min_height: int | None, max_side: int) -> CleanFile:
    if not data.startswith((_JPEG_MAGIC, _PNG_MAGIC)):
        raise UploadError("not_image")
    with warnings.catch_warnings():
        # Pillow only warns between MAX_IMAGE_PIXELS and twice that: make it an error.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = _decode(data, min_width=min_width, min_height=min_height, max_side=max_side)
        except UploadError:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise UploadError("too_many_pixels") from None
        except UnidentifiedImageError:
            raise UploadError("not_image") from None
        except Exception:
            # Untrusted input: any decoder failure (OSError, SyntaxError, struct.error, ...)
            # means the file is broken or hostile.
            raise UploadError("corrupt_image") from None
    content_type = JPEG if image.format_name == "JPEG" else PNG
    content = _encode(image.pixels, image.format_name)
    return CleanFile(content=content, content_type=content_type, width=image.pixels.width, height=image.pixels.height)


@dataclass
class _Decoded:
    pixels: Image.Image
    format_name: str


def _decode(data: bytes, *, min_width: int | None, min_height: int | None, max_side: int) -> _Decoded:
    # First pass: verify() walks the whole file (PNG CRCs, chunk structure) without decoding.
    with Image.open(io.BytesIO(data), formats=["JPEG", "PNG"]) as probe:
        _pixels_check(probe.size)
        probe.verify()
    with Image.open(io.BytesIO(data), formats=["JPEG", "PNG"]) as image:
        # Phones write multi-picture JPEGs (MPO); the first picture is the photo.
        format_name = "PNG" if image.format == "PNG" else "JPEG"
        width, height = image.size
        orientation = image.getexif().get(_EXIF_ORIENTATION, 1)
        turned = orientation in _QUARTER_TURNS
        shown_w, shown_h = (height, width) if turned else (width, height)
        if (min_width and shown_w < min_width) or (min_height and shown_h < min_height):
            raise UploadError("too_small", width=min_width, height=min_height)
        target_w, target_h = _target_size(
            shown_w, shown_h, min_width=min_width, min_height=min_height, max_side=max_side
        )
        if format_name == "JPEG":
            # Let libjpeg decode at 1/2, 1/4 or 1/8 when that still covers the target: less memory.
            image.draft("RGB", (target_h, target_w) if turned else (target_w, target_h))
        image.load()
        oriented = ImageOps.exif_transpose(image)
        if (oriented.width, oriented.height) != (target_w, target_h):
            oriented = oriented.resize((target_w, target_h), Image.Resampling.LANCZOS)
        return _Decoded(pixels=_pixels_only(oriented, format_name), format_name=format_name)


def _pixels_check(size: tuple[int, int]) -> None:
    # Judged from the header, before a single pixel is decoded.
    width, height = size
    if width <= 0 or height <= 0:
        raise UploadError("corrupt_image")
    if width * height > settings.IMAGE_MAX_PIXELS:
        raise UploadError("too_many_pixels")


def _target_size(
    width: int, height: int, *, min_width: int | None, min_height: int | None, max_side: int
) -> tuple[int, int]:
    scale = min(1.0, max_side / max(width, height))
    # Scaling down must never push a valid photo under the minimum.
    if min_width:
        scale = max(scale, min_width / width)
    if min_height:
        scale = max(scale, min_height / height)
    if scale >= 1.0:
        return width, height
    return max(1, math.ceil(width * scale)), max(1, math.ceil(height * scale))


def _pixels_only(image: Image.Image, format_name: str) -> Image.Image:
    """A new image holding only the pixels: ``info`` (EXIF, ICC, comments, text chunks) stays behind."""
    has_alpha = image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info)
    if image.mode.startswith("I"):
        # 16-bit greyscale (scanners): scale to 8 bits instead of letting convert() clip to white.
        image = image.convert("I").point(lambda value: value / 256).convert("L")
    if format_name == "PNG" and has_alpha:
        mode = "RGBA"
    elif image.mode in ("L", "1"):
        mode = "L"
    else:
        mode = "RGB"
    source = image.convert(mode) if image.mode != mode else image
    clean = Image.new(mode, source.size)
    clean.paste(source)
    return clean


def _encode(image: Image.Image, format_name: str) -> bytes:
    out = io.BytesIO()
    if format_name == "JPEG":
        image.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    else:
        image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _pdf_check(data: bytes) -> None:
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            # Only an empty user password is acceptable (owner-password "protected" letters are
            # common); a PDF nobody can open without a password is useless to the librarian.
            try:
                opened = reader.decrypt("")
            except Exception:
                opened = 0
            if not opened:
                raise UploadError("encrypted_pdf")
        # Reading the page tree makes pypdf walk the cross-reference table and objects.
        pages = len(reader.pages)
        if pages < 1:
            raise UploadError("corrupt_pdf")
        reader.pages[0].mediabox  # noqa: B018  (touch the first page: a fake tree fails here)
    except UploadError:
        raise
    except Exception:
        raise UploadError("corrupt_pdf") from None
