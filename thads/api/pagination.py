from django.conf import settings
from rest_framework import pagination


class CursorPagination(pagination.CursorPagination):
    """Keyset pages: no COUNT(*), stable under inserts, cheap at any depth."""

    page_size_query_param = "page_size"
    max_page_size = settings.API_MAX_PAGE_SIZE
    ordering = "-id"
