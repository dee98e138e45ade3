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

The package: `keys` (the header, codes, which requests), `fingerprint`,
`records` (claim, replay, store, purge), `middleware`, `schema`.
"""

from thads.idempotency.fingerprint import request_fingerprint
from thads.idempotency.keys import (
    HEADER,
    KEY_IN_PROGRESS,
    KEY_INVALID,
    KEY_REUSED,
    REPLAYED_HEADER,
    parse_key,
)
from thads.idempotency.middleware import IdempotencyMiddleware
from thads.idempotency.records import NOT_STORED, records_purge_expired
from thads.idempotency.schema import schema_add_idempotency_key

__all__ = [
    "HEADER",
    "KEY_INVALID",
    "KEY_IN_PROGRESS",
    "KEY_REUSED",
    "NOT_STORED",
    "REPLAYED_HEADER",
    "IdempotencyMiddleware",
    "parse_key",
    "records_purge_expired",
    "request_fingerprint",
    "schema_add_idempotency_key",
]
