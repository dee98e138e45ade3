"""OpenAPI postprocessing: the answers the API really gives, beyond the happy path.

drf-spectacular documents what each view returns when all goes well. This hook
(registered in `SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"]`, after the enum and
Idempotency-Key hooks) adds to every operation:

- the error answers it can give, each with the one error envelope
  (`thads/api/exceptions.py`), as the `Error` component or a variant of it:

  ====  ==========================================================  ===============
  code  when                                                        where
  ====  ==========================================================  ===============
  400   invalid body, query or header (`validation_error`,          operations with
        `malformed_request`, `idempotency_key_invalid`)             input
  401   no, bad or expired credentials; wrong username/password     all
  403   the caller may not do this (`permission_denied`)            all but sign-in
  404   the object does not exist or is outside the caller's scope; detail routes,
        a list's `cursor` it did not give out; a unit named in      cursor lists,
        a statistics body or query                                  statistics
  409   the assignment's or request's status forbids the action     workflow writes
        (`transition_not_allowed`, with `status`, `allowed_actions`)
  410   expired or unknown sync token                               `sync/`
  412   `If-Match` is stale (`version_mismatch`, with `current`)    If-Match writes
  413   body over the size limit (`request_too_large`)              with a body
  414   path and query over REQUEST_MAX_URI_BYTES (`uri_too_long`)  all
  415   body in a media type the operation does not read            with a body
  428   `If-Match` missing (`precondition_required`)                If-Match writes
  429   too many sign-in attempts (`throttled`, `retry_after`)      sign-in
  ====  ==========================================================  ===============

  An answer a view already declares keeps its description; it gains the envelope
  as its body when it had none.
- the `ETag` header on `GET assignments/{id}/` (200 and 304) and on the
  assignment writes that answer with the assignment; `Retry-After` on 429.
- a path's `{id}` as the integer it is: the routers match it with
  `ID_LOOKUP_REGEX` (thads/api/ids.py), which drf-spectacular would publish as a
  string with a pattern;
- the token pair that `POST auth/token/` answers with (simplejwt's serializer
  declares no output fields);
- `examples` for the main contract calls: sign-in, the assignment list, assign,
  progress and sync.

`tests/contract/` checks the result against the running API.

The package: `errors`, `headers`, `schemas` (path ids, the token pair),
`examples`; `common` holds the names they share; the hook is here.
"""

from __future__ import annotations

import copy
from typing import Any

from thads.api.openapi.common import API_PREFIX, ERROR, JSON, METHODS, ref
from thads.api.openapi.errors import ERRORS, add_error, error_components, error_statuses
from thads.api.openapi.examples import add_examples
from thads.api.openapi.headers import add_headers
from thads.api.openapi.schemas import document_token_pair, integer_path_ids


def postprocess_errors_headers_examples(
    result: dict[str, Any], generator: Any, request: Any, public: bool
) -> dict[str, Any]:
    """drf-spectacular postprocessing hook: errors, headers and examples (see above)."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    for name, component in error_components("Assignment" in schemas).items():
        schemas.setdefault(name, copy.deepcopy(component))
    for path, operations in result.get("paths", {}).items():
        if not path.startswith(API_PREFIX):
            continue
        for method, operation in operations.items():
            if method not in METHODS:
                continue
            integer_path_ids(operation)
            responses = operation.setdefault("responses", {})
            for status in error_statuses(path, method, operation):
                add_error(responses, status)
            # Errors declared elsewhere (the Idempotency-Key hook's 409 and 422, a
            # view's 404 or 422) are the same envelope.
            for status, response in responses.items():
                if status.isdigit() and int(status) >= 400 and not response.get("content"):
                    component = ERRORS.get(status, ("", ERROR))[1]
                    response["content"] = {JSON: {"schema": ref(component)}}
            add_headers(path, method, operation)
    document_token_pair(result)
    add_examples(result)
    return result
