from celery import shared_task

from reports import services


@shared_task(name="reports.build_export", ignore_result=True)
def build_export(job_id: int) -> None:
    services.export_job_build(job_id=job_id)


@shared_task(name="reports.prune_exports", ignore_result=True)
def prune_exports() -> None:
    services.exports_prune()
