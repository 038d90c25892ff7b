"""The steps on the customer's side: the reseller's MPN ID re-checked, the customer (a new tenant
created, an existing one linked or its reseller relationship confirmed), the Microsoft Customer
Agreement accepted.

The MPN ID is re-validated first (docs/product.md#provisioning) because that check yields the
reseller's tenant id the new tenant is created for, and because an invalid MPN ID must not leave
an orphan tenant behind.
"""

import logging
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone, translation

from notifications.models import Email
from notifications.services import email_enqueue
from orders.models import FailureReason, Order, OrderEvent
from orders.provisioning.errors import DOMAIN_IN_USE, AwaitingRelationship, StepFailed
from orders.provisioning.recording import partner_center_post, step_done
from orders.services.status import Failure
from partnercenter import resources as pc
from partnercenter.client import PartnerCenterClient
from partnercenter.errors import PartnerCenterBusinessError, PartnerCenterUnavailable
from resellers.services import reseller_validate_mpn
from storefront.crypto import encrypt_text
from tenants.models import Customer
from tenants.services.partner_center import customer_check_relationship

logger = logging.getLogger(__name__)
Step = OrderEvent.Step

MCA_TEMPLATE_CACHE_KEY = "orders:mca-template-id"
MCA_TEMPLATE_CACHE_SECONDS = 24 * 3600


# --- MPN ID ------------------------------------------------------------------------------------


def step_validate_mpn(order: Order, client: PartnerCenterClient) -> None:
    if order.mpn_validated_at is not None:
        return None
    validation = reseller_validate_mpn(
        reseller=order.reseller, mpn_id=order.mpn_id, use_cache=False
    )
    if not validation.is_valid:
        with translation.override(settings.LANGUAGE_CODE):  # for staff, whoever runs the task
            detail = str(validation.message)
        raise StepFailed(
            Failure(
                reason=FailureReason.MPN_INVALID,
                code=validation.partner_center_code or validation.code,
                detail=detail,
            )
        )
    step_done(
        order,
        step=Step.MPN,
        facts={"mpn_id": order.mpn_id},
        mpn_validated_at=validation.checked_at,
        reseller_tenant_id=validation.reseller_tenant_id,
    )
    return None


# --- Customer and tenant -------------------------------------------------------------------


def step_ensure_customer(order: Order, client: PartnerCenterClient) -> None:
    if order.partner_center_customer_id:
        return None
    customer = order.customer
    if customer.partner_center_customer_id:
        # Found by the wizard's relationship check, or created by an earlier order placed before
        # it did: then that order sends the credentials, and this one is for an existing tenant.
        step_done(
            order,
            step=Step.TENANT_LINKED,
            facts={
                "customer_id": str(customer.partner_center_customer_id),
                "domain": order.tenant_domain,
            },
            partner_center_customer_id=str(customer.partner_center_customer_id),
            is_new_tenant=False,
        )
    elif order.is_new_tenant:
        _create_tenant(order, client)
    else:
        check = customer_check_relationship(customer=customer)
        if not check.is_accepted:
            raise AwaitingRelationship(order.pk)
        step_done(
            order,
            step=Step.RELATIONSHIP,
            facts={"customer_id": check.match.customer_id, "domain": order.tenant_domain},
            partner_center_customer_id=check.match.customer_id,
        )
    return None


def _create_tenant(order: Order, client: PartnerCenterClient) -> None:
    customer = order.customer
    new_customer = pc.NewCustomer(
        domain=order.tenant_domain,
        company_name=customer.company_name,
        email=customer.contact_email,
        address=pc.Address(
            first_name=customer.contact_first_name,
            last_name=customer.contact_last_name,
            address_line1=customer.address_line,
            city=customer.city,
            state=customer.province,
            postal_code=customer.postal_code,
            phone_number=customer.contact_phone,
            country=customer.country,
        ),
        reseller_tenant_id=order.reseller_tenant_id,
    )
    try:
        created = partner_center_post(
            order,
            "customer_request_id",
            lambda request_id: client.create_customer(
                request_id=request_id, new_customer=new_customer
            ),
        )
    except PartnerCenterBusinessError as exc:
        if (
            exc.http_status,
            exc.code,
        ) != DOMAIN_IN_USE or not order.customer_request_outcome_unknown:
            raise
        _adopt_tenant_created_earlier(order, client, exc)
        return
    credentials = created.admin_credentials
    with transaction.atomic():
        # The password exists in clear only in this frame; the database gets the Fernet token.
        step_done(
            order,
            step=Step.TENANT_CREATED,
            facts={"customer_id": created.id, "domain": created.domain},
            partner_center_customer_id=created.id,
            admin_user_name=created.admin_user_principal_name,
            admin_password_encrypted=encrypt_text(credentials.password) if credentials else "",
        )
        Customer.objects.filter(pk=customer.pk).update(
            partner_center_customer_id=uuid.UUID(created.id), updated_at=timezone.now()
        )
    if credentials is None:
        logger.warning("order %s: Partner Center returned no admin credentials", order.pk)


def _adopt_tenant_created_earlier(
    order: Order, client: PartnerCenterClient, exc: PartnerCenterBusinessError
) -> None:
    """A 409 "domain in use" after a creation whose outcome was unknown: the tenant in the way
    is most likely the one that lost request created. It is ours if it is the distributor's
    customer associated with this order's reseller; then the order goes on with it.

    Partner Center gave its first password only in the lost answer; the order then goes on as
    for an existing tenant (no credentials e-mail), and staff get an alert e-mail (once per
    order, through the outbox) to have the password reset and sent to the reseller. A tenant
    that is not (yet) found is not blamed on the customer either: the search may lag behind the
    creation, so it is looked for again later, and staff are alerted if it never shows
    (partner_center_unavailable).
    """
    domain = order.tenant_domain.lower()
    found = next(
        (
            summary
            for summary in client.find_customers_by_domain(domain)
            if summary.domain.lower() == domain
        ),
        None,
    )
    reseller_tenant_id = order.reseller_tenant_id or str(order.reseller.partner_center_tenant_id)
    if found is None or found.associated_partner_id.lower() != reseller_tenant_id.lower():
        raise PartnerCenterUnavailable(
            f"customer_create: {domain} answered 409 after a lost answer and is not among the "
            f"distributor's customers of reseller {reseller_tenant_id} yet "
            f"(MS-RequestId {exc.ms_request_id})"
        )
    with transaction.atomic():
        step_done(
            order,
            step=Step.TENANT_CREATED,
            facts={"customer_id": found.id, "domain": found.domain, "is_adopted": True},
            partner_center_customer_id=found.id,
            is_new_tenant=False,
        )
        Customer.objects.filter(pk=order.customer_id).update(
            partner_center_customer_id=uuid.UUID(found.id), updated_at=timezone.now()
        )
        # Keyed by the order alone: the step is done once, and a repeat finds the same row.
        email_enqueue(order=order, kind=Email.Kind.STAFF_PASSWORD_RESET)
    logger.warning(
        "order %s: tenant %s adopted after a lost creation answer; admin password not returned",
        order.pk,
        found.id,
    )


# --- Microsoft Customer Agreement ------------------------------------------------------------


def step_ensure_agreement(order: Order, client: PartnerCenterClient) -> None:
    if order.agreement_accepted_at is not None:
        return None
    customer = order.customer
    template_id = _mca_template_id(client)
    contact = pc.AgreementContact(
        first_name=customer.contact_first_name,
        last_name=customer.contact_last_name,
        email=customer.contact_email,
        phone_number=customer.contact_phone,
    )
    agreement = partner_center_post(
        order,
        "agreement_request_id",
        lambda request_id: client.accept_customer_agreement(
            request_id=request_id,
            customer_id=order.partner_center_customer_id,
            template_id=template_id,
            contact=contact,
            date_agreed=timezone.now(),
        ),
    )
    step_done(
        order,
        step=Step.AGREEMENT,
        facts={"was_already_accepted": agreement.was_already_accepted},
        agreement_accepted_at=timezone.now(),
    )
    return None


def _mca_template_id(client: PartnerCenterClient) -> str:
    """The MCA template changes rarely: one call a day per process rather than one per order."""
    template_id = cache.get(MCA_TEMPLATE_CACHE_KEY)
    if template_id is None:
        template_id = client.get_customer_agreement_template().template_id
        cache.set(MCA_TEMPLATE_CACHE_KEY, template_id, MCA_TEMPLATE_CACHE_SECONDS)
    return template_id
