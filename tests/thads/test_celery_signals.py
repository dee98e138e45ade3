"""What thads/celery.py hooks into Celery: workers keep their database connection
between tasks and still drop a bad one; beat sweeps as soon as it starts.

Celery's Django fixup closes every connection around every task unless
CELERY_DB_REUSE_MAX is set; the project sets it (a new PostgreSQL connection per
task was a third of a short task's time) and, in its place, runs Django's own
per-request check before and after each task (thads/celery.py)."""

from types import SimpleNamespace
from unittest import mock

from celery.fixups.django import DjangoWorkerFixup
from celery.signals import task_postrun, task_prerun
from django.conf import settings

from thads.celery import app


def _task(*, eager: bool):
    return SimpleNamespace(request=SimpleNamespace(is_eager=eager))


def test_the_worker_fixup_reads_the_reuse_setting():
    assert settings.CELERY_DB_REUSE_MAX == 1000
    assert DjangoWorkerFixup(app).db_reuse_max == settings.CELERY_DB_REUSE_MAX


def test_a_worker_task_checks_its_connections_before_and_after_it_runs():
    with mock.patch("django.db.close_old_connections") as check:
        task_prerun.send(sender=None, task=_task(eager=False), task_id="t")
        assert check.call_count == 1
        task_postrun.send(sender=None, task=_task(eager=False), task_id="t")
        assert check.call_count == 2


def test_an_eager_task_leaves_its_callers_connection_alone():
    with mock.patch("django.db.close_old_connections") as check:
        task_prerun.send(sender=None, task=_task(eager=True), task_id="t")
        task_postrun.send(sender=None, task=_task(eager=True), task_id="t")
    check.assert_not_called()


def test_beat_sends_a_sweep_when_it_starts():
    from celery.signals import beat_init

    service = mock.Mock()  # celery.beat.Service: the signal's sender
    beat_init.send(sender=service)
    service.app.send_task.assert_called_once_with("reminders.sweep")
