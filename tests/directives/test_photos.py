"""Phone photos are stored upright and without their EXIF block (GPS included)."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from directives.files import upright_photo

ORIENTATION = 0x0112
GPS_IFD = 0x8825


def _jpeg(size=(40, 20), orientation=None, gps=False) -> SimpleUploadedFile:
    exif = Image.Exif()
    if orientation is not None:
        exif[ORIENTATION] = orientation
    if gps:
        exif.get_ifd(GPS_IFD)[2] = (21.0, 1.0, 0.0)  # latitude, as a phone writes it
    buffer = io.BytesIO()
    Image.new("RGB", size, "red").save(buffer, "JPEG", exif=exif.tobytes())
    return SimpleUploadedFile("photo.jpg", buffer.getvalue(), content_type="image/jpeg")


def test_a_photo_taken_sideways_is_stored_upright():
    stored = upright_photo(_jpeg(orientation=6), "image/jpeg")
    with Image.open(stored) as image:
        assert image.size == (20, 40)
        assert ORIENTATION not in image.getexif()


def test_the_gps_position_is_not_kept():
    stored = upright_photo(_jpeg(orientation=1, gps=True), "image/jpeg")
    with Image.open(stored) as image:
        assert not image.getexif().get_ifd(GPS_IFD)


def test_a_photo_without_metadata_and_other_files_pass_unchanged():
    plain = _jpeg()
    plain_bytes = plain.read()
    plain.seek(0)
    assert upright_photo(plain, "image/jpeg").read() == plain_bytes
    pdf = SimpleUploadedFile("a.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    assert upright_photo(pdf, "application/pdf") is pdf


def test_an_undecodable_jpeg_keeps_its_bytes():
    broken = SimpleUploadedFile("x.jpg", b"\xff\xd8\xff\xe0garbage", content_type="image/jpeg")
    assert upright_photo(broken, "image/jpeg").read() == b"\xff\xd8\xff\xe0garbage"
