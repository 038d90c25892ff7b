"""Checks against Partner Center: «Domain Prefix», reseller relationship, invitation link.

Every Partner Center call happens outside any database transaction or row lock: a slow or failing
Partner Center must never hold a lock. Writes that record an outcome come after, and are short.
Callable from Celery tasks: nothing here takes a request; ``interactive=True`` (a page waiting
for the answer) uses short timeouts, the worker the settings' longer ones.

A tenant counts as related to a reseller only when Partner Center's customer is associated with
that reseller (``associatedPartnerId`` = the reseller's Partner Center tenant id): a customer of
the distributor linked to another reseller is, for this one, a tenant still to invite, and its
legal name is not shown.
"""

import logging
import uuid
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import models
from django.utils import timezone

from partnercenter.errors import PartnerCenterBudgetExhausted, PartnerCenterError
from partnercenter.lookups import PartnerCenterBusyError, PartnerCenterUnavailableError
from partnercenter.services import (
    partner_center_client,
    partner_center_invitation_url,
    partner_center_timeouts,
)
from storefront.models import Reseller
from tenants.models import Customer
from tenants.names import ONMICROSOFT_SUFFIX, normalise_domain_prefix

logger = logging.getLogger(__name__)


class PrefixCheckOutcome(models.TextChoices):
    """What a «Domain Prefix» check tells; static/js/wizard.js reads the same values
    (tenants/tests/test_prefix_outcomes.py compares them)."""

    FREE = "free"  # branch B: a new tenant is created with it
    TAKEN_RELATED = "taken_related"  # branch A, relationship accepted
    TAKEN_UNRELATED = "taken_unrelated"  # branch A, the invitation still to accept
    # The live check's answers when Partner Center is not asked, or cannot answer.
    INVALID = "invalid"
    UNAVAILABLE = "unavailable"
    LIMITED = "limited"


@dataclass(frozen=True)
class TenantMatch:
    """The distributor's Partner Center customer for a tenant, associated with the reseller."""

    customer_id: str
    company_name: str


@dataclass(frozen=True)
class PrefixCheck:
    """What Partner Center says of a «Domain Prefix»: free (branch B) or taken (branch A).

    For a taken prefix, ``match`` is the distributor's customer when the tenant has accepted the
    relationship with this reseller, None when this reseller's invitation still has to be
    accepted (even if the tenant is another reseller's customer).
    """

    prefix: str
    is_taken: bool
    match: TenantMatch | None
    checked_at: datetime

    @property
    def domain(self) -> str:
        return self.prefix + ONMICROSOFT_SUFFIX

    @property
    def is_relationship_accepted(self) -> bool:
        return self.match is not None

    @property
    def status(self) -> PrefixCheckOutcome:
        """Free, taken and related, or taken and not related: the stable name of the outcome."""
        if not self.is_taken:
            return PrefixCheckOutcome.FREE
        if self.is_relationship_accepted:
            return PrefixCheckOutcome.TAKEN_RELATED
        return PrefixCheckOutcome.TAKEN_UNRELATED


@dataclass(frozen=True)
class RelationshipCheck:
    state: str  # a Customer.RelationshipState
    match: TenantMatch | None
    checked_at: datetime | None

    @property
    def is_accepted(self) -> bool:
        return self.state == Customer.RelationshipState.ACCEPTED


def _unavailable(operation: str, exc: PartnerCenterError) -> PartnerCenterUnavailableError:
    if isinstance(exc, PartnerCenterBudgetExhausted):
        return PartnerCenterBusyError(retry_after=exc.retry_after)
    logger.warning(
        "Partner Center %s failed: %s (%s, MS-RequestId %s)",
        operation,
        exc.message,
        type(exc).__name__,
        exc.ms_request_id,
    )
    return PartnerCenterUnavailableError()


def _same_tenant_id(tenant_id: str, expected: uuid.UUID | str | None) -> bool:
    """The same GUID, whatever its case; never when either is missing."""
    if not tenant_id or not expected:
        return False
    try:
        return uuid.UUID(tenant_id) == uuid.UUID(str(expected))
    except ValueError:
        return False


def _find_tenant_customer(client, domain: str, *, reseller: Reseller) -> TenantMatch | None:
    """The customer whose domain is exactly ``domain`` (the search only matches the start), if
    it is associated with ``reseller``; None otherwise, whoever else it is associated with."""
    for customer in client.find_customers_by_domain(domain):
        if customer.domain.lower() != domain:
            continue
        if _same_tenant_id(customer.associated_partner_id, reseller.partner_center_tenant_id):
            return TenantMatch(customer_id=customer.id, company_name=customer.company_name)
        return None
    return None


def prefix_check_cache_key(*, reseller_id: int, prefix: str) -> str:
    return f"tenants:prefix-check:{reseller_id}:{prefix}"


def tenant_check_prefix(
    *, prefix: str, reseller: Reseller, interactive: bool = False, use_cache: bool = False
) -> PrefixCheck:
    """Is the prefix free, or an existing tenant, and has that tenant accepted the relationship
    with ``reseller``?

    Normalises the prefix first (DomainPrefixInvalidError on a bad one, no call made); raises
    PartnerCenterUnavailableError when Partner Center cannot answer (PartnerCenterBusyError when
    ``interactive`` calls are over their budget). Every answer is kept for
    PREFIX_CHECK_CACHE_SECONDS; ``use_cache`` returns a kept one instead of asking again (the
    live check typed letter by letter, «Prossimo >>» right after it).
    """
    prefix = normalise_domain_prefix(prefix)
    key = prefix_check_cache_key(reseller_id=reseller.pk, prefix=prefix)
    if use_cache:
        cached = cache.get(key)
        if cached is not None:
            return _prefix_check_from_cache(cached)
    domain = prefix + ONMICROSOFT_SUFFIX
    match = None
    try:
        with partner_center_client(
            interactive=interactive, **partner_center_timeouts(interactive=interactive)
        ) as client:
            is_taken = client.is_domain_taken(prefix)
            if is_taken:
                match = _find_tenant_customer(client, domain, reseller=reseller)
    except PartnerCenterError as exc:
        raise _unavailable("domain check", exc) from exc
    check = PrefixCheck(prefix=prefix, is_taken=is_taken, match=match, checked_at=timezone.now())
    cache.set(key, asdict(check), settings.PREFIX_CHECK_CACHE_SECONDS)
    return check


def _prefix_check_from_cache(cached: dict) -> PrefixCheck:
    match = cached["match"]
    return PrefixCheck(
        prefix=cached["prefix"],
        is_taken=cached["is_taken"],
        match=TenantMatch(**match) if match else None,
        checked_at=cached["checked_at"],
    )


def customer_check_relationship(
    *, customer: Customer, interactive: bool = False
) -> RelationshipCheck:
    """Re-check an existing tenant's relationship with the customer's reseller; record it.

    Sets ``relationship_state`` (accepted / pending), ``relationship_checked_at``,
    ``partner_center_customer_id`` and ``partner_center_company_name`` (cleared when pending).
    A new tenant needs no relationship: nothing is called. Also used by the worker for orders
    awaiting the relationship.
    """
    if customer.tenant_kind == Customer.TenantKind.NEW:
        return RelationshipCheck(
            state=Customer.RelationshipState.NOT_NEEDED,
            match=None,
            checked_at=customer.relationship_checked_at,
        )
    try:
        with partner_center_client(
            interactive=interactive, **partner_center_timeouts(interactive=interactive)
        ) as client:
            match = _find_tenant_customer(
                client, customer.tenant_domain, reseller=customer.reseller
            )
    except PartnerCenterError as exc:
        raise _unavailable("relationship check", exc) from exc

    changes: dict[str, Any] = {
        "relationship_state": Customer.RelationshipState.ACCEPTED
        if match
        else Customer.RelationshipState.PENDING,
        "relationship_checked_at": timezone.now(),
    }
    # Without a match, what an earlier check found (the tenant may have changed reseller since)
    # is forgotten: the worker links orders to a stored customer id.
    changes["partner_center_customer_id"] = uuid.UUID(match.customer_id) if match else None
    changes["partner_center_company_name"] = match.company_name[:200] if match else ""
    Customer.objects.filter(pk=customer.pk).update(**changes, updated_at=timezone.now())
    for field_name, value in changes.items():
        setattr(customer, field_name, value)
    return RelationshipCheck(
        state=changes["relationship_state"],
        match=match,
        checked_at=changes["relationship_checked_at"],
    )


def reseller_invitation_url(*, reseller: Reseller, domain: str) -> str:
    """The link the global administrator of the tenant ``domain`` opens to accept this reseller
    and the distributor as its partners (docs/partner-center.md#customers-and-relationships,
    indirect-reseller form; with the sandbox, its acceptance page).

    Needs the reseller's Partner Center tenant id, stored when its profile's MPN ID is validated;
    "" while it is not known. Never calls Partner Center: pages showing the link are GETs.
    """
    if reseller.partner_center_tenant_id is None:
        return ""
    return partner_center_invitation_url(
        reseller_tenant_id=str(reseller.partner_center_tenant_id), customer_domain=domain
    )
