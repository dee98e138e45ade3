"""E-mail: a reminder as a Vietnamese message with a text and an HTML part.

Sent through Django's mail backend (`settings.EMAIL_BACKEND`), from
`settings.DEFAULT_FROM_EMAIL` to the user's address.
"""

from __future__ import annotations

import hashlib
import smtplib
from email.utils import parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from notifications.delivery.base import DeliveryError, Message, public_url

# Where a user changes the channels they receive reminders on (the footer says so).
NOTIFICATION_SETTINGS_PATH = "/api/v1/me/notification-settings/"
SUBJECT_PREFIX = "[THADS]"
TEXT_TEMPLATE = "notifications/email/reminder.txt"
HTML_TEMPLATE = "notifications/email/reminder.html"


def message_id(delivery_id: str) -> str:
    """The Message-ID of the e-mail for `delivery_id`: the same on every retry, so a
    receiving system that saw the first copy can drop the repeat.

    Hashed because a delivery id may hold characters a Message-ID may not; the
    domain is the sender's, not the worker's host name, which differs per worker.
    """
    digest = hashlib.sha256(delivery_id.encode("utf-8")).hexdigest()[:40]
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "thads.invalid"
    return f"<{digest}.thads@{domain}>"


def _subject(message: Message) -> str:
    # A header cannot hold a line break (Django refuses it); a title might.
    return " ".join(f"{SUBJECT_PREFIX} {message.title}".split())


def _link(url: str) -> str:
    # Only absolute http(s) links become clickable: an app-relative path means nothing
    # in a mail client, and another scheme (javascript:) must never be an href.
    return url if url.lower().startswith(("https://", "http://")) else ""


def send_email(*, user, message: Message, delivery_id: str) -> None:
    """Send `message` to `user.email`; return once the mail backend accepted it.

    Raises `DeliveryError`: permanent when the user has no address or the server
    refuses every recipient permanently (5xx); transient for connection and other
    SMTP errors.
    """
    address = (user.email or "").strip()
    if not address:
        raise DeliveryError("recipient has no e-mail address", permanent=True)

    context = {
        "recipient_name": getattr(user, "full_name", "") or user.get_username(),
        "title": message.title,
        "body": message.body,
        "url": message.url,
        "link": _link(message.url),
        "settings_path": public_url(NOTIFICATION_SETTINGS_PATH),
    }
    email = EmailMultiAlternatives(
        subject=_subject(message),
        body=render_to_string(TEXT_TEMPLATE, context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[address],
        headers={
            "Message-ID": message_id(delivery_id),
            "X-THADS-Delivery": delivery_id,
            # RFC 3834: vacation responders must not answer an automatic message.
            "Auto-Submitted": "auto-generated",
        },
    )
    email.attach_alternative(render_to_string(HTML_TEMPLATE, context), "text/html")
    try:
        email.send(fail_silently=False)
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _text in exc.recipients.values()]
        permanent = bool(codes) and all(code >= 500 for code in codes)
        raise DeliveryError(f"recipient refused: {exc.recipients}", permanent=permanent) from exc
    except (smtplib.SMTPException, OSError) as exc:
        raise DeliveryError(f"mail server error: {exc!r}") from exc
