from celery import shared_task

from thads import health


@shared_task(name="thads.heartbeat", ignore_result=False)
def heartbeat() -> str:
    """Beat sends this every few seconds; `/readyz` reads the mark it leaves."""
    return health.heartbeat_record()
