"""directives.files: evidence is judged by its content and its size, never its name.

The files are built here, minimal but valid: a PNG with IHDR/IDAT/IEND, a JPEG
header, a tiny PDF, and a DOCX made with zipfile.
"""

import io
import struct
import zipfile
import zlib
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from directives import services
from directives.files import (
    FILE_TOO_LARGE,
    FILE_TYPE_NOT_ALLOWED,
    MAX_FILES_PER_UPLOAD,
    TOO_MANY_FILES,
    check_uploads,
    detect_content_type,
)
from directives.models import Attachment, ProgressReport
from thads.errors import DomainError

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))


def png_bytes() -> bytes:
    """A 1×1 grey PNG."""
    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    pixels = zlib.compress(b"\x00\x80")
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", pixels)
        + _png_chunk(b"IEND", b"")
    )


def jpeg_bytes() -> bytes:
    """SOI, a JFIF APP0 segment and EOI: what the signature check reads."""
    app0 = b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    return b"\xff\xd8\xff\xe0" + struct.pack(">H", len(app0) + 2) + app0 + b"\xff\xd9"


def pdf_bytes() -> bytes:
    return (
        b"%PDF-1.4\n"
        b"1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
        b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
        b"trailer << /Root 1 0 R >>\n%%EOF\n"
    )


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Override PartName="/word/document.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
            "</Types>",
        )
        archive.writestr(
            "word/document.xml",
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            "<w:body><w:p><w:r><w:t>Báo cáo tiến độ</w:t></w:r></w:p></w:body></w:document>",
        )
    return buffer.getvalue()


def exe_bytes() -> bytes:
    """The start of a Windows executable: the MZ header and a PE offset."""
    return b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48


def upload(name: str, content: bytes, content_type: str = "application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("bien-ban.pdf", pdf_bytes(), "application/pdf"),
        ("anh-hien-truong.png", png_bytes(), "image/png"),
        ("anh.jpg", jpeg_bytes(), "image/jpeg"),
        ("bao-cao.docx", docx_bytes(), DOCX_TYPE),
    ],
)
def test_allowed_formats_are_accepted_by_their_content(name, content, expected):
    assert check_uploads([upload(name, content, "application/octet-stream")]) == [expected]


def test_the_type_comes_from_the_content_not_the_name():
    # A PDF named and declared as a photo is a PDF.
    assert check_uploads([upload("anh.png", pdf_bytes(), "image/png")]) == ["application/pdf"]


def test_detection_leaves_the_file_readable_from_the_start():
    file = upload("bien-ban.pdf", pdf_bytes())

    detect_content_type(file)

    assert file.read() == pdf_bytes()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("report.pdf", exe_bytes()),  # a renamed executable stays an executable
        ("report.pdf", b"Bao cao tien do: da xac minh 40 viec.\n"),  # plain text
        ("report.pdf", b""),  # empty
        ("archive.zip", b"PK\x03\x04" + b"\x00" * 60),  # a zip that is no Office file
    ],
)
def test_forbidden_content_is_refused_whatever_its_name(name, content):
    with pytest.raises(DomainError) as excinfo:
        check_uploads([upload(name, content)])

    assert excinfo.value.code == FILE_TYPE_NOT_ALLOWED
    assert name in str(excinfo.value.message)
    assert list(excinfo.value.fields) == ["files"]


def test_a_file_over_the_size_limit_is_refused(settings):
    settings.EVIDENCE_MAX_BYTES = 100

    with pytest.raises(DomainError) as excinfo:
        check_uploads([upload("bien-ban.pdf", pdf_bytes() + b"%" * 100)])

    assert excinfo.value.code == FILE_TOO_LARGE


def test_a_file_at_the_size_limit_is_accepted(settings):
    content = pdf_bytes()
    settings.EVIDENCE_MAX_BYTES = len(content)

    assert check_uploads([upload("bien-ban.pdf", content)]) == ["application/pdf"]


def test_one_bad_file_refuses_the_whole_upload():
    with pytest.raises(DomainError) as excinfo:
        check_uploads([upload("a.pdf", pdf_bytes()), upload("b.pdf", exe_bytes())])

    assert excinfo.value.code == FILE_TYPE_NOT_ALLOWED


def test_too_many_files_are_refused():
    files = [upload(f"{n}.pdf", pdf_bytes()) for n in range(MAX_FILES_PER_UPLOAD + 1)]

    with pytest.raises(DomainError) as excinfo:
        check_uploads(files)

    assert excinfo.value.code == TOO_MANY_FILES


# --- through the services: stored with the detected type, or nothing stored ------------


def test_progress_evidence_is_stored_with_the_detected_type(officer, assignment):
    report = services.assignment_report_progress(
        actor=officer,
        assignment=assignment,
        percent=40,
        files=[upload("Biên bản xác minh.pdf", pdf_bytes(), "image/png")],
    )

    attachment = report.attachments.get()
    assert attachment.content_type == "application/pdf"
    assert attachment.original_name == "Biên bản xác minh.pdf"
    assert attachment.size == len(pdf_bytes())
    assert attachment.uploaded_by == officer
    # The stored name is random: the client's name is never used as a path.
    assert "Biên bản" not in attachment.file.name
    with attachment.file.open("rb") as stored:
        assert stored.read() == pdf_bytes()


def test_a_refused_file_leaves_no_report_and_no_attachment(officer, assignment):
    with pytest.raises(DomainError) as excinfo:
        services.assignment_report_progress(
            actor=officer,
            assignment=assignment,
            percent=40,
            files=[upload("report.pdf", exe_bytes())],
        )

    assert excinfo.value.code == FILE_TYPE_NOT_ALLOWED
    assert not ProgressReport.objects.exists()
    assert not Attachment.objects.exists()
    assignment.refresh_from_db()
    assert (assignment.version, assignment.status) == (1, "assigned")


def test_an_oversized_file_on_an_extension_request_leaves_nothing(settings, officer, assignment):
    settings.EVIDENCE_MAX_BYTES = 10

    with pytest.raises(DomainError) as excinfo:
        services.extension_request_create(
            actor=officer,
            assignment=assignment,
            requested_due_date=date(2100, 1, 29),
            reason="Chờ thẩm định giá",
            files=[upload("to-trinh.pdf", pdf_bytes())],
        )

    assert excinfo.value.code == FILE_TOO_LARGE
    assert not assignment.extension_requests.exists()
    assert not Attachment.objects.exists()
