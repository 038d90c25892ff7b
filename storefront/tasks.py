from celery import shared_task

from storefront.services import worker_heartbeat_mark_processed


@shared_task(bind=True, acks_late=True)
def worker_heartbeat_task(self, heartbeat_id: int) -> bool:
    worker_name = "in-process" if self.request.is_eager else self.request.hostname
    return worker_heartbeat_mark_processed(heartbeat_id=heartbeat_id, worker_name=worker_name)
