"""`Idempotency-Key` on every POST under `/api/`: a retried request gets the first answer.

The semantics of draft-ietf-httpapi-idempotency-key-header, with keys scoped per
user (the session user, or the user of a valid JWT):

- the first request with a key claims it: a row committed `in_progress` in its own
  transaction before the view runs, so a concurrent twin sees the claim at once;
  once the view has answered, the answer is stored with the row;
- a retry with the same key and the same request (method, path with query, body)
  gets the stored status, body and headers back, with `Idempotent-Replayed: true`.
  It never reaches the view, so nothing runs twice and nothing is checked again
  (an If-Match that the first request made stale does not refuse the replay);
- the same key with another request → 422 `idempotency_key_reused`;
- the same key while the first request is still running → 409
  `idempotency_key_in_progress` with `Retry-After: 1`;
- a 5xx, a streaming response, and the 4xx that ask for the same request again
  later or with other headers (`NOT_STORED`) are not kept: the key is released
  and the client may retry with it;
- a key claimed more than `IDEMPOTENCY_TTL_HOURS` ago counts as absent; beat
  deletes such rows every hour (`records_purge_expired`).

Requests without the header, from nobody (DRF answers 401 as usual), or to the
sign-in endpoints (their answers are tokens, which must not sit in a table) pass
through untouched.
"""

import hashlib
import json
import logging
import re
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from io import BytesIO
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.core.files.uploadhandler import FileUploadHandler
from django.db import DatabaseError, IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse, UnreadablePostError
from django.http.multipartparser import MultiPartParser, MultiPartParserError
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from drf_spectacular.plumbing import build_basic_type, build_parameter_type
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework.exceptions import APIException
from rest_framework.settings import api_settings
from rest_framework_simplejwt.authentication import JWTAuthentication

from thads.api.exceptions import envelope
from thads.http import json_response
from thads.models import IdempotencyRecord

logger = logging.getLogger(__name__)

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
API_PREFIX = "/api/"
# Sign-in, refresh and verify answer with tokens: never stored, never replayed.
EXCLUDED_PREFIXES = ("/api/v1/auth/",)
# The response headers a replay repeats; the rest are the replay's own.
REPLAYED_HEADERS = ("ETag", "Location", "Content-Language")
# Answers that ask the client to send the same request again, later (408, 425, 429)
# or with other credentials or a fresh validator (401, 412, 428): storing them would
# answer that retry with the refusal until the key expires. They write nothing, so
# releasing the key is safe.
NOT_STORED = frozenset({401, 408, 412, 425, 428, 429})
PURGE_BATCH = 1000
CHUNK_BYTES = 64 * 1024

KEY_INVALID = "idempotency_key_invalid"
KEY_REUSED = "idempotency_key_reused"
KEY_IN_PROGRESS = "idempotency_key_in_progress"

MESSAGES = {
    KEY_INVALID: _("Tiêu đề Idempotency-Key phải gồm từ 1 đến 255 ký tự ASCII in được."),
    KEY_REUSED: _(
        "Idempotency-Key này đã được dùng cho một yêu cầu khác; "
        "hãy dùng một khóa mới cho yêu cầu mới."
    ),
    KEY_IN_PROGRESS: _(
        "Yêu cầu trước với cùng Idempotency-Key đang được xử lý; hãy thử lại sau giây lát."
    ),
}

# Printable ASCII, space included; or an RFC 8941 sf-string (the draft's syntax),
# whose quotes are not part of the key.
_KEY = re.compile(r"[\x20-\x7e]{1,255}")
_SF_STRING = re.compile(r'"((?:[\x20\x21\x23-\x5b\x5d-\x7e]|\\["\\])*)"')
_SF_ESCAPE = re.compile(r'\\(["\\])')


def parse_key(value: str) -> str | None:
    """The key a header value names, or None when it is not a valid key."""
    value = value.strip(" \t")
    quoted = _SF_STRING.fullmatch(value)
    if quoted:
        value = _SF_ESCAPE.sub(r"\1", quoted.group(1))
    return value if _KEY.fullmatch(value) else None


# --- the middleware -------------------------------------------------------------------


class IdempotencyMiddleware:
    """Placed after AuthenticationMiddleware (it reads the session user) and outside
    any per-view transaction (its claim must be committed before the view runs)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        # The project's JWT class when it has one (it may refuse more than simplejwt's,
        # a revoked sign-in session say), so the caller is whom DRF will see.
        self.jwt = next(
            (
                authentication()
                for authentication in api_settings.DEFAULT_AUTHENTICATION_CLASSES
                if issubclass(authentication, JWTAuthentication)
            ),
            JWTAuthentication(),
        )

    def __call__(self, request: HttpRequest) -> HttpResponse:
        header = request.headers.get(HEADER)
        if header is None or not _covered(request):
            return self.get_response(request)
        user = self._caller(request)
        if user is None:
            return self.get_response(request)
        key = parse_key(header)
        if key is None:
            return _error(400, KEY_INVALID)

        with _spooled_if_large(request) as spool:
            fingerprint = request_fingerprint(request, spool)
            if spool is not None:
                # The view reads the body from the spooled copy, as if untouched.
                spool.seek(0)
                request._stream = spool
            record, answer = _claim(user=user, key=key, fingerprint=fingerprint)
            if answer is not None:
                return answer
            assert record is not None
            try:
                response = self.get_response(request)
            except BaseException:
                _release(record)
                raise
            _finish(record, response)
            return response

    def _caller(self, request: HttpRequest):
        """Whom DRF will authenticate: the JWT's user if a Bearer token is sent, else
        the session user. A bad token is left to DRF, which answers 401."""
        try:
            authenticated = self.jwt.authenticate(request)
        except APIException:
            return None
        if authenticated is not None:
            return authenticated[0]
        user = getattr(request, "user", None)
        return user if user is not None and user.is_authenticated else None


def _covered(request: HttpRequest) -> bool:
    path = request.path_info
    return (
        request.method == "POST"
        and path.startswith(API_PREFIX)
        and not path.startswith(EXCLUDED_PREFIXES)
    )


def _error(status: int, code: str, **extra: Any) -> JsonResponse:
    return json_response(envelope(code, MESSAGES[code], **extra), status=status)


def _in_progress() -> JsonResponse:
    # `retry_after` in the body too, as a throttled answer has it.
    response = _error(409, KEY_IN_PROGRESS, retry_after=1)
    response["Retry-After"] = "1"
    return response


# --- the fingerprint --------------------------------------------------------------------


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
def _spooled_if_large(request: HttpRequest) -> Iterator[IO[bytes] | None]:
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


# --- claiming, answering, storing ---------------------------------------------------------


def _expired_before(now: datetime) -> datetime:
    return now - timedelta(hours=settings.IDEMPOTENCY_TTL_HOURS)


def _claim(
    *, user, key: str, fingerprint: str
) -> tuple[IdempotencyRecord | None, HttpResponse | None]:
    """Either the new in-progress record (run the view) or the answer to send now."""
    for _attempt in range(3):
        now = timezone.now()
        record = IdempotencyRecord.objects.filter(user=user, key=key).first()
        if record is not None and record.created_at <= _expired_before(now):
            # Expired: as if absent. By pk, so a record that replaced it meanwhile stays.
            IdempotencyRecord.objects.filter(pk=record.pk).delete()
            record = None
        if record is not None:
            return None, _answer(record, fingerprint)
        try:
            # Its own transaction, committed before the view runs: a concurrent
            # request with the key fails this insert and sees the claim.
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(
                    user=user, key=key, fingerprint=fingerprint, created_at=now
                )
            return record, None
        except IntegrityError:
            continue  # claimed in between: answer as that claim says
    return None, _in_progress()


def _answer(record: IdempotencyRecord, fingerprint: str) -> HttpResponse:
    if record.fingerprint != fingerprint:
        return _error(422, KEY_REUSED)
    if record.state == IdempotencyRecord.State.IN_PROGRESS:
        return _in_progress()
    return _replay(record)


def _replay(record: IdempotencyRecord) -> HttpResponse:
    response = HttpResponse(bytes(record.response_body), status=record.status_code)
    if record.content_type:
        response["Content-Type"] = record.content_type
    else:
        del response["Content-Type"]
    for name, value in record.response_headers.items():
        response[name] = value
    response[REPLAYED_HEADER] = "true"
    return response


def _storable(response: HttpResponse) -> bool:
    return (
        not response.streaming
        and response.status_code < 500
        and response.status_code not in NOT_STORED
    )


def _release(record: IdempotencyRecord) -> None:
    IdempotencyRecord.objects.filter(pk=record.pk).delete()


def _finish(record: IdempotencyRecord, response: HttpResponse) -> None:
    if not _storable(response):
        _release(record)
        return
    headers = {name: response[name] for name in REPLAYED_HEADERS if response.has_header(name)}
    # LocaleMiddleware adds Content-Language on the way out; the body's language is
    # this request's, which a replay in another language must still say.
    headers.setdefault("Content-Language", translation.get_language())
    try:
        IdempotencyRecord.objects.filter(pk=record.pk).update(
            state=IdempotencyRecord.State.COMPLETED,
            status_code=response.status_code,
            response_body=response.content,
            content_type=response.get("Content-Type", ""),
            response_headers=headers,
            completed_at=timezone.now(),
        )
    except DatabaseError:
        # The view's work is done: the client gets its answer. Its retries get 409
        # until the key expires, which is safer than running the request again.
        logger.exception("could not store the response for Idempotency-Key %r", record.key)


# --- cleanup ----------------------------------------------------------------------------


def records_purge_expired(*, now: datetime | None = None, batch_size: int = PURGE_BATCH) -> int:
    """Delete the records older than IDEMPOTENCY_TTL_HOURS, `batch_size` rows per
    statement so no single delete holds locks for long; returns how many went."""
    cutoff = _expired_before(now or timezone.now())
    expired = IdempotencyRecord.objects.filter(created_at__lte=cutoff)
    deleted = 0
    while ids := list(expired.values_list("pk", flat=True)[:batch_size]):
        count, _by_model = IdempotencyRecord.objects.filter(pk__in=ids).delete()
        deleted += count
    return deleted


# --- OpenAPI ------------------------------------------------------------------------------

IDEMPOTENCY_KEY = OpenApiParameter(
    HEADER,
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description=(
        "Makes a retry safe (draft-ietf-httpapi-idempotency-key-header). 1–255 printable "
        "ASCII characters, unique per request, e.g. a UUID; scoped to the caller. A retry "
        "with the same key and the same request (method, path, body) gets the first "
        "response again, status and body unchanged, with `Idempotent-Replayed: true`, "
        "and does nothing twice. The same key with another request: 422 "
        "`idempotency_key_reused`. The same key while the first request is still "
        "running: 409 `idempotency_key_in_progress` with `Retry-After: 1`. An invalid "
        "key: 400 `idempotency_key_invalid`. 5xx answers, and 401, 408, 412, 425, 428 and 429, "
        "are not kept, so the key may be retried. Keys are kept for "
        "IDEMPOTENCY_TTL_HOURS (24 h by default); after that the key is new again."
    ),
)

_SCHEMA_RESPONSES = {
    "409": "`idempotency_key_in_progress`: a request with this Idempotency-Key is still "
    "running; retry after `Retry-After` seconds.",
    "422": "`idempotency_key_reused`: this Idempotency-Key was used for another request.",
}


def schema_add_idempotency_key(result: dict, generator, request, public) -> dict:
    """drf-spectacular postprocessing hook: the header and its answers on every POST
    the middleware covers."""
    parameter = build_parameter_type(
        name=IDEMPOTENCY_KEY.name,
        schema=build_basic_type(IDEMPOTENCY_KEY.type),
        location=IDEMPOTENCY_KEY.location,
        required=IDEMPOTENCY_KEY.required,
        description=IDEMPOTENCY_KEY.description,
    )
    for path, operations in result.get("paths", {}).items():
        operation = operations.get("post")
        if operation is None or not path.startswith(API_PREFIX):
            continue
        if path.startswith(EXCLUDED_PREFIXES):
            continue
        parameters = operation.setdefault("parameters", [])
        if not any(
            p.get("in") == "header" and p.get("name", "").lower() == HEADER.lower()
            for p in parameters
        ):
            parameters.append(dict(parameter))
        responses = operation.setdefault("responses", {})
        for status, description in _SCHEMA_RESPONSES.items():
            if status in responses:
                existing = responses[status].get("description", "")
                responses[status]["description"] = f"{existing} Or {description}".strip()
            else:
                responses[status] = {"description": description}
    return result
