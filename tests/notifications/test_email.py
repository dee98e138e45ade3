"""E-mail reminders through Django's mail backends (locmem in tests: `mailoutbox`)."""

import smtplib
import socket

import pytest
from django.core.mail.backends.base import BaseEmailBackend

from notifications.delivery import DeliveryError, Message
from notifications.delivery.email import NOTIFICATION_SETTINGS_PATH, message_id, send_email
from tests.factories import UserFactory

MESSAGE = Message(
    title="Sắp đến hạn: báo cáo kết quả thi hành án dân sự",
    body="Còn 3 ngày làm việc.\nHạn: 01/12/2026.",
    url="https://thads.example.org/directives/7",
)


@pytest.fixture
def user(db):
    return UserFactory(full_name="Nguyễn Thị Hương", email="huong@example.test")


def test_email_is_vietnamese_with_text_and_html_parts(settings, user, mailoutbox):
    settings.DEFAULT_FROM_EMAIL = "THADS Bắc Giang <thads@thads.example.org>"

    send_email(user=user, message=MESSAGE, delivery_id="ledger-9")

    [mail] = mailoutbox
    assert mail.subject == "[THADS] Sắp đến hạn: báo cáo kết quả thi hành án dân sự"
    assert mail.from_email == "THADS Bắc Giang <thads@thads.example.org>"
    assert mail.to == ["huong@example.test"]
    assert "Kính gửi Nguyễn Thị Hương" in mail.body
    assert MESSAGE.title in mail.body
    assert "Hạn: 01/12/2026." in mail.body
    assert "https://thads.example.org/directives/7" in mail.body
    assert NOTIFICATION_SETTINGS_PATH in mail.body
    [(html, mimetype)] = mail.alternatives
    assert mimetype == "text/html"
    assert '<a href="https://thads.example.org/directives/7">' in html
    assert "Còn 3 ngày làm việc.<br>Hạn: 01/12/2026." in html
    assert NOTIFICATION_SETTINGS_PATH in html
    # The encoded message survives: the subject is RFC 2047-encoded UTF-8.
    raw = mail.message().as_bytes()
    assert b"=?utf-8?" in raw


def test_email_headers_identify_the_delivery(settings, user, mailoutbox):
    settings.DEFAULT_FROM_EMAIL = "thads@thads.example.org"

    send_email(user=user, message=MESSAGE, delivery_id="ledger-9")
    send_email(user=user, message=MESSAGE, delivery_id="ledger-9")
    send_email(user=user, message=MESSAGE, delivery_id="ledger-10")

    headers = [mail.message() for mail in mailoutbox]
    assert headers[0]["X-THADS-Delivery"] == "ledger-9"
    assert headers[0]["Auto-Submitted"] == "auto-generated"
    # A retry carries the same Message-ID, so the receiving side can drop it.
    assert headers[0]["Message-ID"] == headers[1]["Message-ID"] == message_id("ledger-9")
    assert headers[2]["Message-ID"] != headers[0]["Message-ID"]
    assert headers[0]["Message-ID"].endswith("@thads.example.org>")


def test_email_html_escapes_everything(user, mailoutbox):
    message = Message(
        title='<script>alert("x")</script> & "hạn"',
        body="<b>in đậm?</b>",
        url="javascript:alert(1)",
    )

    send_email(user=user, message=message, delivery_id="ledger-9")

    [mail] = mailoutbox
    [(html, _mimetype)] = mail.alternatives
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &quot;hạn&quot;" in html
    assert "&lt;b&gt;in đậm?&lt;/b&gt;" in html
    assert 'href="javascript' not in html
    # The text part is plain text: nothing to escape, so nothing is mangled.
    assert '<script>alert("x")</script> & "hạn"' in mail.body
    assert "\n" not in mail.subject


def test_email_without_address_is_permanent(db, mailoutbox):
    user = UserFactory(email="")

    with pytest.raises(DeliveryError) as caught:
        send_email(user=user, message=MESSAGE, delivery_id="ledger-9")

    assert caught.value.permanent
    assert mailoutbox == []


def test_email_server_unreachable_is_transient(settings, user):
    # A port on 127.0.0.1 that nothing listens on.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_TIMEOUT = 2

    with pytest.raises(DeliveryError) as caught:
        send_email(user=user, message=MESSAGE, delivery_id="ledger-9")

    assert not caught.value.permanent


class RefusingBackend(BaseEmailBackend):
    """An SMTP server that refuses the recipient with `code`."""

    code = 550

    def send_messages(self, email_messages):
        recipients = {email_messages[0].to[0]: (self.code, b"no such user")}
        raise smtplib.SMTPRecipientsRefused(recipients)


class BusyBackend(RefusingBackend):
    code = 451


@pytest.mark.parametrize(
    ("backend", "permanent"), [("RefusingBackend", True), ("BusyBackend", False)]
)
def test_email_recipient_refusal_permanent_only_for_5xx(settings, user, backend, permanent):
    settings.EMAIL_BACKEND = f"tests.notifications.test_email.{backend}"

    with pytest.raises(DeliveryError) as caught:
        send_email(user=user, message=MESSAGE, delivery_id="ledger-9")

    assert caught.value.permanent is permanent
