"""The Partner Center client: one typed method per call (docs/partner-center.md#calls-used).

Every POST takes the caller's ``request_id`` (MS-RequestId, the idempotency key stored before the
call); GETs get a fresh one. Which calls need app+user tokens follows Partner Center's reference
(docs/partner-center.md#authentication): creating a customer, the MCA, reseller and MPN checks,
relationship lists.
"""

from partnercenter.client.commerce import CommerceCalls
from partnercenter.client.customers import CustomerCalls

__all__ = ["PartnerCenterClient"]


class PartnerCenterClient(CustomerCalls, CommerceCalls):
    """One client per external system: the calls are grouped by area (customers.py,
    commerce.py) over the shared transport (base.py)."""
