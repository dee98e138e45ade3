"""What every transport shares: the message, the failure, and public links.

A transport module (`inbox`, `email`, `push`, `webhook`) imports from here and
from nothing else in this package but its own helpers, so the dispatcher in
`notifications.delivery` can import every transport without a cycle.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings

RECIPIENT_DEACTIVATED = "recipient is deactivated"


class DeliveryError(Exception):
    """A delivery that did not happen; `permanent=True` when retrying cannot help."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


@dataclass(frozen=True)
class Message:
    title: str
    body: str
    url: str = ""
    event: str = "reminder"
    data: dict[str, Any] = field(default_factory=dict)


def public_url(path: str) -> str:
    """`path` on the site's public address (`PUBLIC_BASE_URL`): a link that works
    from a mail client or a phone, not only inside the site."""
    return f"{settings.PUBLIC_BASE_URL}/{path.lstrip('/')}"


def assignment_url(assignment_id: int) -> str:
    """Where a person opens an assignment: its API detail, which a browser shows
    as a page (DRF's browsable API, after signing in at /api-auth/login/) and an
    app reads as JSON. The admin's change page would serve leadership only: unit
    members, who get most reminders, are not staff."""
    return public_url(f"/api/v1/assignments/{assignment_id}/")
