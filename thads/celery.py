import logging.config
import os
from pathlib import Path

from celery import Celery
from celery.signals import (
    beat_init,
    setup_logging,
    task_postrun,
    task_prerun,
    worker_process_init,
)

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "thads.settings")

app = Celery("thads")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_configure.connect
def _create_embedded_broker_folders(sender, **kwargs) -> None:
    # kombu's filesystem transport lists its folders but never creates them.
    options = sender.conf.broker_transport_options or {}
    if str(sender.conf.broker_url).startswith("filesystem://"):
        for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
            if options.get(key):
                Path(options[key]).mkdir(parents=True, exist_ok=True)


@setup_logging.connect
def _log_like_every_process(**kwargs) -> None:
    # The worker and beat log with the settings' LOGGING (thads/logs.py: ISO 8601
    # in UTC, LOG_LEVEL) instead of Celery's own format in local time. A receiver
    # of this signal replaces Celery's logging set-up, stdout redirection included;
    # LOG_LEVEL, not `--loglevel`, sets the level, as in the API's processes.
    from django.conf import settings

    logging.config.dictConfig(settings.LOGGING)


@worker_process_init.connect
def _leave_the_process_group(**kwargs) -> None:
    # honcho (`make run`) stops a process by SIGTERM to its whole process group,
    # which killed the prefork children under their parent (an ERROR each)
    # before its warm shutdown could let them finish. In a group of their own
    # they hear only their parent, which closes the pool; a child whose parent
    # dies reads the end of its task pipe and exits.
    os.setpgid(0, 0)


@task_prerun.connect
@task_postrun.connect
def _drop_unusable_connections(task=None, **kwargs) -> None:
    # With CELERY_DB_REUSE_MAX the fixup keeps connections between tasks; this is
    # Django's per-request check (a broken connection, CONN_MAX_AGE passed, and the
    # health check re-armed). An eager task runs inside its caller's transaction,
    # which must not be touched.
    if task is not None and getattr(task.request, "is_eager", False):
        return
    from django.db import close_old_connections

    close_old_connections()


@beat_init.connect
def _sweep_when_beat_starts(sender=None, **kwargs) -> None:
    # An interval schedule first fires one interval after beat starts; a sweep at
    # start means reminders that fell due while beat was down (a deploy, a
    # restart, the demo's first minute) go out now. A sweep is idempotent.
    sender.app.send_task("reminders.sweep")
