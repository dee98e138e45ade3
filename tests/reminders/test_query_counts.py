"""The reminder ledger list costs one query a page, for 3 rows as for 60.
If a number changes, say why in the commit."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from reminders.models import LedgerState, ReminderLedger
from tests.directives.factories import assign_one
from tests.query_counts import page_queries

# The page of ledger rows with their recipient joined (cursor pagination: no COUNT).
LEDGER_QUERIES = 1
# One GROUP BY over state and channel.
SUMMARY_QUERIES = 1


@pytest.mark.parametrize("n", [3, 60])
def test_the_ledger_costs_one_query_whatever_its_length(client_for, director, officer, org, n):
    now = timezone.now()
    assignment = assign_one(actor=director, unit=org.hiephoa)
    ReminderLedger.objects.bulk_create(
        [
            ReminderLedger(
                key=f"probe:{i}",
                assignment=assignment,
                kind="due",
                recipient=officer,
                channel="inbox",
                state=LedgerState.PENDING,
                due_at=now,
                created_at=now,
            )
            for i in range(n)
        ]
    )
    client = client_for(director)
    client.get("/api/v1/me/")  # the scope, cached
    queries, rows = page_queries(client, "/api/v1/reminders/")
    assert queries == LEDGER_QUERIES
    assert len(rows) == min(ReminderLedger.objects.count(), 50)
    assert {row["recipient"] for row in rows} >= {officer.username}

    with CaptureQueriesContext(connection) as captured:
        response = client.get("/api/v1/reminders/summary/")
    assert response.status_code == 200
    assert len(captured.captured_queries) == SUMMARY_QUERIES
    assert sum(response.json()["states"][LedgerState.PENDING].values()) >= n
