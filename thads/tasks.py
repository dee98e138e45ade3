from celery import shared_task

from thads import health, idempotency


@shared_task(name="thads.heartbeat", ignore_result=False)
def heartbeat() -> str:
    """Beat sends this every few seconds; `/readyz` reads the mark it leaves."""
    return health.heartbeat_record()


@shared_task(name="thads.idempotency_cleanup")
def idempotency_cleanup() -> int:
    """Beat sends this hourly: deletes expired Idempotency-Key records in batches."""
    return idempotency.records_purge_expired()
