"""What makes two requests the same: method, path with query, and body (a
multipart body by what it carries), hashed without holding a large body in memory."""

from __future__ import annotations

import hashlib
import json
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from io import BytesIO
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.core.files.uploadhandler import FileUploadHandler
from django.http import HttpRequest, UnreadablePostError
from django.http.multipartparser import MultiPartParser, MultiPartParserError

CHUNK_BYTES = 64 * 1024


def _content_length(request: HttpRequest) -> int:
    try:
        return max(int(request.META.get("CONTENT_LENGTH") or 0), 0)
    except ValueError:
        return 0


def _in_memory_limit() -> int:
    limit = settings.IDEMPOTENCY_MAX_BODY_BYTES
    # `request.body` refuses anything larger, whatever this module would accept.
    if settings.DATA_UPLOAD_MAX_MEMORY_SIZE is not None:
        limit = min(limit, settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
    return limit


@contextmanager
def spooled_if_large(request: HttpRequest) -> Iterator[IO[bytes] | None]:
    """A body over the in-memory limit, copied in chunks to a spooled temporary file
    (memory up to the limit, then disk) that lives as long as the block; None for
    a body small enough for `request.body`."""
    limit = _in_memory_limit()
    if _content_length(request) <= limit:
        yield None
        return
    with tempfile.SpooledTemporaryFile(max_size=limit, dir=settings.FILE_UPLOAD_TEMP_DIR) as spool:
        # The raw stream, not `request.read()`: reading through the request would mark
        # it read, and Django and DRF would then refuse to parse it.
        stream = request._stream
        try:
            while chunk := stream.read(CHUNK_BYTES):
                spool.write(chunk)
        except OSError as exc:
            raise UnreadablePostError(*exc.args) from exc
        spool.seek(0)
        yield spool


def request_fingerprint(request: HttpRequest, spool: IO[bytes] | None = None) -> str:
    """SHA-256 over the method, the path with its query and the body.

    A multipart body counts by what it carries, not by its bytes: each field's
    values, and each file's name, size and SHA-256. A client that rebuilds the
    request for a retry picks a new boundary, and that must not make it another
    request.
    """
    digest = hashlib.sha256()
    digest.update(f"{request.method}\n{request.get_full_path()}\n".encode())
    source = spool if spool is not None else BytesIO(request.body)
    summary = None
    if request.content_type == "multipart/form-data":
        summary = _multipart_summary(request, source)
    if summary is not None:
        digest.update(b"multipart\n" + summary)
    else:
        source.seek(0)
        while chunk := source.read(CHUNK_BYTES):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass(frozen=True)
class _FileDigest:
    name: str
    size: int
    sha256: str


class _DigestOnlyUploadHandler(FileUploadHandler):
    """Keeps nothing of an uploaded file but its name, size and SHA-256."""

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.digest = hashlib.sha256()

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        self.digest.update(raw_data)
        return None  # consumed: no other handler stores it

    def file_complete(self, file_size: int) -> _FileDigest:
        return _FileDigest(self.file_name or "", file_size, self.digest.hexdigest())


def _multipart_summary(request: HttpRequest, source: IO[bytes]) -> bytes | None:
    """The parsed form as canonical JSON; None when it does not parse (the body's
    bytes then make the fingerprint, and the view answers the error)."""
    source.seek(0)
    encoding = request.encoding or settings.DEFAULT_CHARSET
    try:
        parser = MultiPartParser(request.META, source, [_DigestOnlyUploadHandler()], encoding)
        fields, files = parser.parse()
    except (MultiPartParserError, SuspiciousOperation):
        return None
    summary = {
        "fields": sorted(fields.lists()),
        "files": sorted(
            (name, [[item.name, item.size, item.sha256] for item in items])
            for name, items in files.lists()
        ),
    }
    return json.dumps(summary, ensure_ascii=False, separators=(",", ":")).encode()
