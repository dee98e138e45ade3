from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from changelog.models import ChangeLog


def change_log_prune(*, now: datetime | None = None, batch: int = 10_000) -> int:
    """Delete change-log rows older than the sync token lifetime: no valid token
    can point before them (older tokens answer 410)."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.SYNC_TOKEN_TTL_DAYS + 1)
    deleted = 0
    while True:
        ids = list(
            ChangeLog.objects.filter(created_at__lt=cutoff).values_list("id", flat=True)[:batch]
        )
        if not ids:
            return deleted
        deleted += ChangeLog.objects.filter(pk__in=ids).delete()[0]
