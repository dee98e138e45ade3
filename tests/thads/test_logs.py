"""One log line format for every process (thads/logs.py)."""

import logging
import logging.config
import time
from io import StringIO

from django.conf import settings

from thads.logs import UTCISOFormatter, gunicorn_logging_config


def _record(created: float) -> logging.LogRecord:
    record = logging.LogRecord("thads.test", logging.INFO, __file__, 1, "hello", None, None)
    record.created = created
    return record


def test_the_instant_is_iso_8601_in_utc_whatever_the_process_time_zone(monkeypatch):
    # Django sets TZ to Asia/Ho_Chi_Minh in every process that loads settings.
    monkeypatch.setenv("TZ", "Asia/Ho_Chi_Minh")
    time.tzset()
    try:
        line = UTCISOFormatter(settings.LOGGING["formatters"]["iso"]["format"]).format(
            _record(1_796_525_092.1234)  # 2026-12-06 02:44:52.123 UTC
        )
    finally:
        monkeypatch.undo()
        time.tzset()
    assert line.startswith("2026-12-06T02:44:52.123Z INFO ")
    assert line.endswith(" thads.test: hello")


def test_gunicorn_lines_go_through_the_same_handler_and_format():
    config = gunicorn_logging_config()
    stream = StringIO()
    config["handlers"]["console"]["stream"] = stream
    logging.config.dictConfig(config)
    try:
        logging.getLogger("gunicorn.error").info("Booting worker")
    finally:
        logging.config.dictConfig(settings.LOGGING)
    assert " INFO " in stream.getvalue()
    assert stream.getvalue().split(" ")[0].endswith("Z")
