import logging
from collections import Counter

from celery import shared_task

from resellers.services import resellers_revalidate_mpn
from storefront.models import Reseller

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def resellers_revalidate_mpn_task() -> dict[str, int]:
    """Nightly (Celery beat): re-check every active reseller's MPN ID against Partner Center."""
    results = resellers_revalidate_mpn(
        resellers=Reseller.objects.filter(is_active=True).order_by("pk").iterator()
    )
    counts = dict(Counter(result.outcome for result in results))
    logger.info("MPN IDs re-validated: %s", counts)
    return counts
