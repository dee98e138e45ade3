"""Checks on uploaded evidence: size, and type judged from the content.

The client's file name and declared Content-Type are not trusted: a renamed
executable stays an executable. Only formats a department actually exchanges
are accepted (PDF, photos, Office and OpenDocument files).
"""

import io

import filetype
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps

from directives.errors import FILE_TOO_LARGE, FILE_TYPE_NOT_ALLOWED, TOO_MANY_FILES
from thads.errors import DomainError

MAX_FILES_PER_UPLOAD = 10

ALLOWED_CONTENT_TYPES = frozenset(
    {
        "application/pdf",
        "image/jpeg",
        "image/png",
        "image/webp",
        "image/heic",
        "image/heif",
        "application/msword",
        "application/vnd.ms-excel",
        "application/vnd.ms-powerpoint",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "application/vnd.oasis.opendocument.text",
        "application/vnd.oasis.opendocument.spreadsheet",
    }
)

# Enough bytes for every signature above, including the OOXML ones that look
# inside the zip's first entries.
_SNIFF_BYTES = 8192


def detect_content_type(upload: UploadedFile) -> str | None:
    upload.seek(0)
    head = upload.read(_SNIFF_BYTES)
    upload.seek(0)
    kind = filetype.guess(head)
    return kind.mime if kind else None


def check_uploads(uploads: list[UploadedFile], *, field: str = "files") -> list[str]:
    """Validate every upload; return their content types in the same order.

    Raises one DomainError naming each refused file, before anything is stored.
    """
    if len(uploads) > MAX_FILES_PER_UPLOAD:
        raise DomainError(
            TOO_MANY_FILES,
            _("Tối đa %(n)d tệp mỗi lần gửi.") % {"n": MAX_FILES_PER_UPLOAD},
            fields={field: [_("Quá nhiều tệp.")]},
        )
    limit = settings.EVIDENCE_MAX_BYTES
    types: list[str] = []
    for upload in uploads:
        if upload.size > limit:
            raise DomainError(
                FILE_TOO_LARGE,
                _("Tệp %(name)s vượt quá dung lượng cho phép (%(limit)d MB).")
                % {"name": upload.name, "limit": limit // (1024 * 1024)},
                fields={field: [_("Tệp quá lớn.")]},
            )
        content_type = detect_content_type(upload)
        if content_type not in ALLOWED_CONTENT_TYPES:
            raise DomainError(
                FILE_TYPE_NOT_ALLOWED,
                _("Tệp %(name)s không thuộc loại được phép (PDF, ảnh, văn bản Office).")
                % {"name": upload.name},
                fields={field: [_("Loại tệp không được phép.")]},
            )
        types.append(content_type)
    return types


# Formats whose EXIF orientation we apply (Pillow reads and writes both).
_ORIENTABLE = {"image/jpeg": "JPEG", "image/webp": "WEBP"}


def upright_photo(upload: UploadedFile, content_type: str) -> UploadedFile:
    """A phone photo stored the way it was held: the EXIF orientation is applied
    to the pixels, and the EXIF block (GPS position included) is not kept.
    Other files, and photos already upright without metadata, pass unchanged."""
    image_format = _ORIENTABLE.get(content_type)
    if image_format is None:
        return upload
    upload.seek(0)
    try:
        with Image.open(upload) as image:
            exif = image.getexif()
            if not exif:
                upload.seek(0)
                return upload
            upright = ImageOps.exif_transpose(image)
            buffer = io.BytesIO()
            upright.save(buffer, format=image_format, quality=90)
    except (OSError, Image.DecompressionBombError):
        # Not decodable after all: keep the original bytes; the type check passed.
        upload.seek(0)
        return upload
    return SimpleUploadedFile(upload.name, buffer.getvalue(), content_type=content_type)
