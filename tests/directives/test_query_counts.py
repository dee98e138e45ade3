"""A page of any directives list costs the same number of queries for 5 rows as for 60.

The numbers are pinned: a change that adds a query (an N+1 in a serializer, a
forgotten select_related) fails here, and whoever changes them says why below.
"""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from directives import services
from directives.models import Attachment, Category, DocumentLink, ReminderPolicy
from tests.directives.factories import (
    API,
    FAR_DUE,
    DirectiveFactory,
    DocumentFactory,
    assign,
    request_extension,
)
from tests.directives.test_files import pdf_bytes
from tests.query_counts import page_queries

# Per endpoint and caller, the queries of one GET, in order, once the caller's
# scope is cached: `user_scope` answers from the cache (units.scope_cache) after
# the caller's first request, so the hot lists cost their own queries only. A
# caller's first request adds the memberships behind the scope (+1), and for a
# head the unit tree below theirs (+1 more): see COLD_SCOPE_QUERIES.
QUERIES = {
    # The page of assignments with directive, unit and latest report joined and
    # timeliness annotated (cursor pagination: no COUNT).
    "assignments": {"director": 1, "officer": 1, "head": 1},
    # The page of directives with category and document joined (units filter
    # through an EXISTS on their assignments).
    "directives": {"director": 1, "officer": 1, "head": 1},
    # The page of documents with the issuing unit joined; prefetch of their
    # outgoing links; prefetch of their attachments.
    "documents": {"director": 3, "officer": 3, "head": 3},
    # The page of extension requests with assignment, requester and decider
    # joined; prefetch of their attachments.
    "extensions": {"director": 2, "officer": 2, "head": 2},
}
# The assignment, through the visibility filter; its events with actors.
HISTORY_QUERIES = {"director": 2, "officer": 2, "head": 2}
# user_scope on a cold cache: the memberships with their units, and for heads the
# unit tree (id, parent) to find the units below theirs.
COLD_SCOPE_QUERIES = {"director": 1, "officer": 1, "head": 2}


def build(n: int, *, director, officer, org) -> None:
    """n documents, each with a directive led by Hiệp Hòa with Yên Thế coordinating;
    every Hiệp Hòa assignment has a progress report and an extension request, and
    every document a link and an attachment, so that each joined or prefetched
    relation of every row is non-empty."""
    previous = None
    for i in range(n):
        document = DocumentFactory(issuing_unit=org.department)
        if previous is not None:
            DocumentLink.objects.create(source=document, target=previous, relation="implements")
        Attachment.objects.create(
            document=document,
            file=SimpleUploadedFile("kl.pdf", pdf_bytes()),
            original_name="kl.pdf",
            content_type="application/pdf",
            size=len(pdf_bytes()),
            uploaded_by=director,
            uploaded_at=timezone.now(),
        )
        previous = document
        lead, _ = assign(
            actor=director,
            units=[org.hiephoa, org.yenthe],
            directive=DirectiveFactory(document=document),
        )
        services.assignment_report_progress(actor=officer, assignment=lead, percent=10 + i % 90)
        extension = request_extension(lead, member=officer, requested=FAR_DUE + timedelta(days=7))
        if i % 2:
            services.extension_approve(actor=director, extension=extension)


@pytest.fixture
def callers(director, officer, people):
    return {"director": director, "officer": officer, "head": people.head}


@pytest.mark.parametrize("n", [5, 60])
def test_list_pages_cost_the_same_queries_whatever_the_rows(
    client_as, callers, director, officer, org, django_assert_num_queries, n
):
    build(n, director=director, officer=officer, org=org)

    for role, user in callers.items():
        client = client_as(user)
        cold = COLD_SCOPE_QUERIES[role]
        for endpoint, expected in QUERIES.items():
            with django_assert_num_queries(expected[role] + cold):
                response = client.get(f"{API}/{endpoint}/")
            cold = 0  # the first request cached the scope
            assert response.status_code == 200
            rows = response.json()["results"]
            # Leadership also sees Yên Thế's half of the assignments; a page holds 50.
            visible = 2 * n if endpoint == "assignments" and role == "director" else n
            assert len(rows) == min(visible, 50)


@pytest.mark.parametrize("n", [5, 60])
def test_history_costs_the_same_queries_whatever_its_length(
    client_as, callers, director, officer, org, django_assert_num_queries, n
):
    lead, _ = assign(actor=director, units=[org.hiephoa, org.yenthe])
    for percent in range(1, n):
        services.assignment_report_progress(actor=officer, assignment=lead, percent=percent)

    for role, user in callers.items():
        client = client_as(user)
        client.get(f"{API}/assignments/{lead.pk}/")  # caches the scope
        with django_assert_num_queries(HISTORY_QUERIES[role]):
            response = client.get(f"{API}/assignments/{lead.pk}/history/")
        assert response.status_code == 200
        assert len(response.json()) == n


@pytest.mark.parametrize("role", ["director", "officer", "head"])
def test_a_signed_in_assignment_list_costs_one_query(
    client_for, callers, director, officer, org, django_assert_num_queries, role
):
    """With a real access token: the first request loads the user (with its session
    check) and the scope, and caches both (units.scope_cache); every later request
    costs the page's query alone."""
    build(5, director=director, officer=officer, org=org)
    client = client_for(callers[role], jwt=True)
    with django_assert_num_queries(2 + COLD_SCOPE_QUERIES[role]):
        assert client.get(f"{API}/assignments/").status_code == 200
    for _ in range(2):
        with django_assert_num_queries(1):
            response = client.get(f"{API}/assignments/?page_size=3")
        assert response.status_code == 200
        assert len(response.json()["results"]) == 3


@pytest.mark.parametrize("n", [3, 60])
def test_categories_and_reminder_policies_cost_one_query_a_page(client_as, director, n):
    Category.objects.bulk_create(
        [Category(code=f"extra-{i}", name_vi=f"Nhóm {i}", name_en=f"Group {i}") for i in range(n)]
    )
    for _ in range(n):
        ReminderPolicy.objects.create(document=DocumentFactory())
    client = client_as(director)
    client.get(f"{API}/assignments/")  # the scope, cached
    # Each: the page of rows, nothing joined (ids only).
    for endpoint, total in (
        ("categories", Category.objects.count()),
        ("reminder-policies", ReminderPolicy.objects.count()),
    ):
        queries, rows = page_queries(client, f"{API}/{endpoint}/")
        assert (endpoint, queries, len(rows)) == (endpoint, 1, min(total, 50))
