"""One GET of a list page with its queries counted, for the pinned query-count tests."""

from django.db import connection
from django.test.utils import CaptureQueriesContext


def page_queries(client, url: str) -> tuple[int, list]:
    """(queries the request ran, the page's rows). Warm the caller's scope first
    (any earlier request does) so the count is the list's own."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(captured.captured_queries), response.json()["results"]
