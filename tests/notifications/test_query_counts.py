"""The caller's own lists (inbox, push devices, webhooks) cost one query a page,
for 3 rows as for 60. If a number changes, say why in the commit."""

import pytest
from django.utils import timezone

from notifications.models import Device, Notification, WebhookEndpoint
from tests.query_counts import page_queries

# The page of the caller's rows (cursor pagination: no COUNT); nothing is joined.
QUERIES = {"notifications": 1, "devices": 1, "webhooks": 1}


def build(n: int, user) -> None:
    now = timezone.now()
    Notification.objects.bulk_create(
        [Notification(user=user, title=f"Nhắc hạn {i}", created_at=now) for i in range(n)]
    )
    Device.objects.bulk_create(
        [
            Device(
                user=user, endpoint=f"https://push.example.com/{user.pk}/{i}", p256dh="k", auth="a"
            )
            for i in range(n)
        ]
    )
    WebhookEndpoint.objects.bulk_create(
        [
            WebhookEndpoint(user=user, url=f"https://hooks.example.com/{user.pk}/{i}")
            for i in range(n)
        ]
    )


@pytest.mark.parametrize("n", [3, 60])
def test_own_lists_cost_one_query_whatever_their_length(client_for, officer, director, n):
    build(n, officer)
    build(2, director)  # someone else's rows: not on the page
    client = client_for(officer)
    client.get("/api/v1/me/")  # the scope, cached
    for endpoint, expected in QUERIES.items():
        queries, rows = page_queries(client, f"/api/v1/{endpoint}/")
        assert (endpoint, queries) == (endpoint, expected)
        assert len(rows) == min(n, 50)
