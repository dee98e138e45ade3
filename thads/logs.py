"""One log line format for every process: Django, gunicorn, the Celery worker and beat.

Each line starts with its instant in ISO 8601, in UTC with milliseconds
(`2026-12-06T02:44:52.123Z`), whatever the process's local time zone: Django
sets the process's TZ to TIME_ZONE (Asia/Ho_Chi_Minh) once settings load, and
gunicorn's master logs before it does, so `time.localtime` would give two zones
in one console. Settings (LOGGING), gunicorn.conf.py and thads/celery.py all use
`logging_config()`.
"""

import logging
from datetime import UTC, datetime

from django.core.exceptions import PermissionDenied

LINE_FORMAT = "%(asctime)s %(levelname)s [%(process)d] %(name)s: %(message)s"


class UTCISOFormatter(logging.Formatter):
    """`%(asctime)s` as ISO 8601 in UTC with milliseconds and a `Z`."""

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        instant = datetime.fromtimestamp(record.created, tz=UTC)
        return instant.isoformat(timespec="milliseconds").replace("+00:00", "Z")


class DropPermissionDeniedTraceback(logging.Filter):
    """A refused request (403) is logged as one line, without its traceback.

    Django logs `Forbidden (Permission denied): /path` with the PermissionDenied
    exception attached, so every admin page a user may not open printed some 35
    lines of traceback for an expected answer. The line stays; the traceback of
    any other exception too.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and isinstance(record.exc_info[1], PermissionDenied):
            record.exc_info = None
            record.exc_text = None
        return True


def logging_config(level: str = "INFO") -> dict:
    """The `logging.config.dictConfig` of every process: one console handler on the root."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"iso": {"()": UTCISOFormatter, "format": LINE_FORMAT}},
        "filters": {"no_403_traceback": {"()": DropPermissionDeniedTraceback}},
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "iso"}},
        "root": {"handlers": ["console"], "level": level},
        "loggers": {"django.request": {"filters": ["no_403_traceback"]}},
    }


def gunicorn_logging_config(level: str = "INFO") -> dict:
    """`logging_config` for gunicorn's `logconfig_dict`: its two loggers hand their
    lines to the root's handler instead of keeping their own format."""
    config = logging_config(level)
    config["loggers"].update(
        {
            "gunicorn.error": {"handlers": [], "propagate": True, "level": level},
            "gunicorn.access": {"handlers": [], "propagate": True, "level": "INFO"},
        }
    )
    return config
