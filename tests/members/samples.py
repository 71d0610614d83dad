"""Real upload files built with Pillow and pypdf, for the upload and profile tests."""

import io
import struct
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image
from PIL.PngImagePlugin import PngInfo
from pypdf import PdfWriter

GPS_LATITUDE = (6.0, 11.0, 30.0)


def _picture(width: int, height: int, mode: str = "RGB") -> Image.Image:
    """A gradient with a dark square top-left, so orientation can be checked on pixels."""
    image = Image.linear_gradient("L").resize((width, height)).convert(mode)
    image.paste((0, 0, 0) if mode == "RGB" else 0, (0, 0, width // 4, height // 4))
    return image


def jpeg_bytes(width: int = 600, height: int = 800, *, orientation: int | None = None, comment: bytes = b"") -> bytes:
    image = _picture(width, height)
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "KameraRahasia"
    if orientation:
        exif[ExifTags.Base.Orientation] = orientation
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "S"
    gps[ExifTags.GPS.GPSLatitude] = GPS_LATITUDE
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=90, exif=exif, comment=comment or b"rumah saya")
    return out.getvalue()


def png_with_gps_bytes(width: int = 600, height: int = 800) -> bytes:
    image = _picture(width, height)
    exif = Image.Exif()
    exif[ExifTags.Base.Software] = "PonselSaya"  # an empty top-level IFD would not be written
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "S"
    gps[ExifTags.GPS.GPSLatitude] = GPS_LATITUDE
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (106.0, 50.0, 20.0)
    text = PngInfo()
    text.add_text("Comment", "Jl. Rahasia No. 1")
    out = io.BytesIO()
    image.save(out, format="PNG", exif=exif, pnginfo=text)
    return out.getvalue()


def pdf_bytes(pages: int = 1) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def fake_pdf_bytes() -> bytes:
    """Starts like a PDF, is not one."""
    return b"%PDF-1.7\n" + b"Ini bukan PDF, hanya teks biasa.\n" * 50


def oversized_jpeg_bytes(total: int = 6 * 1024 * 1024) -> bytes:
    """A real JPEG padded after its end marker to 6 MB."""
    data = jpeg_bytes()
    return data + b"\0" * (total - len(data))


def truncated_jpeg_bytes() -> bytes:
    data = jpeg_bytes()
    return data[: len(data) // 2]


def truncated_png_bytes() -> bytes:
    data = png_with_gps_bytes()
    return data[: len(data) * 2 // 3]


def _png_chunk(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))


def png_bomb_bytes(width: int, height: int) -> bytes:
    """A valid 1-bit PNG of width×height white pixels: a few kB on disk, huge in memory."""
    row = b"\0" + b"\0" * ((width + 7) // 8)
    compressor = zlib.compressobj(9)
    chunks = []
    block = row * 1000
    for _ in range(height // 1000):
        chunks.append(compressor.compress(block))
    chunks.append(compressor.compress(row * (height % 1000)))
    chunks.append(compressor.flush())
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", b"".join(chunks))
        + _png_chunk(b"IEND", b"")
    )


def upload(data: bytes, name: str = "berkas.jpg", content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)
