"""Pinned query counts: a delta page costs the same whatever the number of changes.

If a number here changes, say why in the commit: a new query per page may be
fine; a query per change never is. Clients are forced-authenticated, so no query
loads the user.
"""

from datetime import timedelta

import pytest

from directives import services
from tests.directives.factories import FAR_DUE, DirectiveFactory, DocumentFactory, assign_one
from tests.sync.conftest import SYNC, sync_all

# The caller's scope (user_scope) comes from the cache (units.scope_cache) once an
# earlier request of theirs put it there, as every delta sync follows a full one:
# it costs no query. Then: 1. the watermark; 2. the change-log page with the rows
# of the assignments it names joined in (directive, unit, latest report); then one
# query per other kind present, plus its prefetches:
# 3-5. documents (+ their links, + their attachments); 6. directives;
# 7-8. progress reports (+ attachments); 9-10. extension requests (+ attachments);
# 11. notifications.
DELTA_PAGE_QUERIES = 11
# A full sync's first page with room for every kind, as the caller's first request
# (the scope is not cached yet): the memberships behind the scope, the watermark,
# then every kind's query and prefetches (units + successor links = 2).
FULL_PAGE_QUERIES = 14


def _work(director, officer, unit, count: int) -> dict:
    """`count` open assignments of Hiệp Hòa, spread over a few documents."""
    documents = [DocumentFactory(created_by=director) for _ in range(3)]
    assignments = [
        assign_one(
            actor=director,
            unit=unit,
            directive=DirectiveFactory(document=documents[i % len(documents)]),
        )
        for i in range(count)
    ]
    return {"documents": documents, "assignments": assignments}


def _change_everything(director, officer, unit, work: dict, inbox) -> int:
    """Change each assignment, report on and ask to extend a tenth of them, create a
    tenth more and deliver a message: every kind the officer syncs shows up."""
    assignments = work["assignments"]
    tenth = max(1, len(assignments) // 10)
    for assignment in assignments:
        services.assignment_acknowledge(actor=officer, assignment=assignment)
    for assignment in assignments[:tenth]:
        services.assignment_report_progress(actor=officer, assignment=assignment, percent=30)
    for assignment in assignments[tenth : 2 * tenth]:
        services.extension_request_create(
            actor=officer,
            assignment=assignment,
            requested_due_date=FAR_DUE + timedelta(days=10),
            reason="Chờ kết quả thẩm định giá",
        )
    for i in range(tenth):
        assign_one(
            actor=director,
            unit=unit,
            directive=DirectiveFactory(document=work["documents"][i % 3]),
        )
    inbox(officer)
    return len(assignments) + tenth


@pytest.mark.parametrize("changed", [20, 200])
def test_a_delta_page_costs_the_same_whatever_the_number_of_changes(
    client_for, org, director, officer, inbox, changed, django_assert_num_queries
):
    work = _work(director, officer, org.hiephoa, changed)
    client = client_for(officer)
    token = sync_all(client).token
    assignments = _change_everything(director, officer, org.hiephoa, work, inbox)

    with django_assert_num_queries(DELTA_PAGE_QUERIES):
        response = client.get(SYNC, {"since": token})

    assert response.status_code == 200, response.content
    body = response.json()
    assert not body["has_more"]
    kinds = {item["type"] for item in body["changes"]}
    assert kinds == {"document", "directive", "assignment", "report", "extension", "notification"}
    assert sum(item["type"] == "assignment" for item in body["changes"]) == assignments


@pytest.mark.parametrize("changed", [20, 200])
def test_a_heads_delta_page_costs_the_same_whatever_the_number_of_changes(
    client_for, org, director, officer, head, inbox, changed, django_assert_num_queries
):
    work = _work(director, officer, org.hiephoa, changed)
    client = client_for(head)
    token = sync_all(client).token
    _change_everything(director, officer, org.hiephoa, work, inbox)

    # The head's scope is cached like anyone's; the message went to the officer,
    # so no notification query (- 1).
    with django_assert_num_queries(DELTA_PAGE_QUERIES - 1):
        response = client.get(SYNC, {"since": token})

    assert response.status_code == 200, response.content
    assert {item["type"] for item in response.json()["changes"]} == {
        "document",
        "directive",
        "assignment",
        "report",
        "extension",
    }


@pytest.mark.parametrize("count", [3, 30])
def test_a_full_sync_page_costs_the_same_whatever_its_size(
    client_for, org, director, officer, inbox, count, django_assert_num_queries
):
    work = _work(director, officer, org.hiephoa, count)
    for assignment in work["assignments"]:
        services.assignment_report_progress(actor=officer, assignment=assignment, percent=10)
        services.extension_request_create(
            actor=officer,
            assignment=assignment,
            requested_due_date=FAR_DUE + timedelta(days=10),
            reason="Chờ kết quả thẩm định giá",
        )
    inbox(officer)
    client = client_for(officer)

    with django_assert_num_queries(FULL_PAGE_QUERIES):
        response = client.get(SYNC)

    assert response.status_code == 200, response.content
    body = response.json()
    assert not body["has_more"]
    assert sum(item["type"] == "report" for item in body["changes"]) == count
