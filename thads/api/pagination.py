from django.conf import settings
from rest_framework import pagination


class CursorPagination(pagination.CursorPagination):
    """Keyset pages: no COUNT(*), stable under inserts, cheap at any depth."""

    page_size_query_param = "page_size"
    max_page_size = settings.API_MAX_PAGE_SIZE
    ordering = "-id"

    def paginate_by_id(self, request, fetch):
        """`paginate_queryset` for the default ordering (newest id first) over
        `fetch(before=, after=, descending=, limit=, offset=)`, which returns rows
        whose first column is the id: the same rows, positions and links as DRF
        gives for the queryset, without building one. None when the cursor's
        position is not an id: the queryset path then answers as DRF does."""
        self.request = request
        self.page_size = self.get_page_size(request)
        self.base_url = request.build_absolute_uri()
        self.ordering = ("-id",)
        self.cursor = self.decode_cursor(request)  # 404 for a cursor that does not decode
        offset, reverse, position = self.cursor or (0, False, None)
        if not self.page_size or (position is not None and not position.isdigit()):
            return None
        position = None if position is None else int(position)
        # Forward pages run down the ids, a reversed cursor runs back up them.
        results = fetch(
            before=None if reverse else position,
            after=position if reverse else None,
            descending=not reverse,
            limit=self.page_size + 1,
            offset=offset,
        )
        self.page = results[: self.page_size]
        following = str(results[-1][0]) if len(results) > len(self.page) else None
        if reverse:
            self.page.reverse()
            self.has_next = position is not None or offset > 0
            self.has_previous = following is not None
            self.next_position = str(position) if self.has_next else None
            self.previous_position = following
        else:
            self.has_next = following is not None
            self.has_previous = position is not None or offset > 0
            self.next_position = following
            self.previous_position = str(position) if self.has_previous else None
        if (self.has_previous or self.has_next) and self.template is not None:
            self.display_page_controls = True
        return self.page
