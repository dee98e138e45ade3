from celery import shared_task

from sync import services


@shared_task(name="sync.prune", ignore_result=True)
def prune_change_log() -> None:
    services.change_log_prune()
