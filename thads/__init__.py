# The Celery app is imported here so that `@shared_task` binds to it and
# `celery -A thads` finds it.
from .celery import app as celery_app

__all__ = ("celery_app",)
