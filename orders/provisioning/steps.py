"""The provisioning steps, in order. Each is idempotent: it returns at once when its outcome is
already recorded on the order, so a run after a crash or a retry resumes where the last one left.

A step returns None when done, or the seconds to wait before looking again. It raises StepFailed,
AwaitingRelationship, or lets a Partner Center error through for the runner to classify.

Order of the steps (docs/product.md#provisioning): the MPN ID is re-validated first because that
check yields the reseller's tenant id the new tenant is created for, and because an invalid MPN
ID must not leave an orphan tenant behind; then customer, MCA, cart, checkout, activation, e-mails.
"""

import logging
import uuid
from collections import defaultdict

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone, translation

from notifications.models import Email
from notifications.services import email_enqueue
from orders import conf
from orders.models import FailureReason, Order, OrderEvent, OrderLine
from orders.provisioning.errors import (
    BUSINESS_ERRORS,
    DOMAIN_IN_USE,
    AwaitingRelationship,
    StepFailed,
    failure_from_code,
)
from orders.provisioning.recording import order_record, partner_center_post, step_done
from orders.services.status import Failure
from partnercenter.client import PartnerCenterClient
from partnercenter.errors import (
    PartnerCenterBusinessError,
    PartnerCenterNotFound,
    PartnerCenterUnavailable,
)
from partnercenter.resources import Address as PartnerCenterAddress
from partnercenter.resources import (
    AgreementContact,
    Cart,
    CartLineRequest,
    CheckoutResult,
    NewCustomer,
    Subscription,
)
from resellers.services import reseller_validate_mpn
from storefront.crypto import encrypt_text
from tenants.models import Customer
from tenants.services.partner_center import customer_check_relationship

logger = logging.getLogger(__name__)
Step = OrderEvent.Step

STALE_CATALOG_ITEM = "catalog_item_id_is_not_valid"  # the sandbox's (and SDK's) CartErrorCode
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
        f"MPN ID {order.mpn_id} verificato: rivenditore indiretto attivo, MPA firmato.",
        step=Step.MPN,
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
            f"Tenant {order.tenant_domain} collegato (cliente Partner Center "
            f"{customer.partner_center_customer_id}).",
            step=Step.TENANT_LINKED,
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
            f"Relazione di rivenditore accettata dal tenant {order.tenant_domain}.",
            step=Step.RELATIONSHIP,
            partner_center_customer_id=check.match.customer_id,
        )
    return None


def _create_tenant(order: Order, client: PartnerCenterClient) -> None:
    customer = order.customer
    new_customer = NewCustomer(
        domain=order.tenant_domain,
        company_name=customer.company_name,
        email=customer.contact_email,
        address=PartnerCenterAddress(
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
            f"Tenant {created.domain} creato (cliente Partner Center {created.id}).",
            step=Step.TENANT_CREATED,
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
            f"Tenant {found.domain} creato da una richiesta la cui risposta era andata persa, "
            f"riconosciuto tra i clienti del distributore (cliente Partner Center {found.id}). "
            "Partner Center non ripete la password iniziale dell'amministratore: va reimpostata "
            "nell'interfaccia di amministrazione di Microsoft 365 e comunicata al rivenditore "
            "(avviso inviato allo staff).",
            step=Step.TENANT_CREATED,
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
    contact = AgreementContact(
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
    already = " (era già stato accettato)" if agreement.was_already_accepted else ""
    step_done(
        order,
        f"Accettazione del Microsoft Customer Agreement confermata{already}.",
        step=Step.AGREEMENT,
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


# --- Cart and checkout ---------------------------------------------------------------------


def _lines_to_order(order: Order) -> list[OrderLine]:
    """Lines not in a Partner Center order yet (all of them, unless a checkout half failed)."""
    return list(order.lines.filter(partner_center_order_id="").order_by("position"))


def step_ensure_cart(order: Order, client: PartnerCenterClient) -> None:
    if order.partner_center_cart_id or order.checked_out_at is not None:
        return None
    lines = _lines_to_order(order)
    is_new_request = not order.cart_request_id
    if is_new_request:
        # catalogItemIds change over time, so they are fetched right before a new cart. A cart
        # whose creation had an unknown outcome is repeated exactly, with the ids it was sent with.
        _refresh_catalog_item_ids(lines, client)
    cart = partner_center_post(
        order,
        "cart_request_id",
        lambda request_id: client.create_cart(
            request_id=request_id,
            customer_id=order.partner_center_customer_id,
            lines=[_cart_line_request(order, line) for line in lines],
        ),
    )
    if cart.line_errors:
        order_record(order, cart_request_id="")
        if not is_new_request and _has_stale_catalog_item(cart):
            # The repeated cart's ids expired meanwhile: a new cart with current ones.
            return step_ensure_cart(order, client)
        error = cart.line_errors[0].error
        raise StepFailed(failure_from_code(code=error.code, description=error.description))
    step_done(
        order,
        f"Carrello Partner Center {cart.id} creato con {len(lines)} righe.",
        step=Step.CART,
        partner_center_cart_id=cart.id,
    )
    return None


def _has_stale_catalog_item(cart: Cart) -> bool:
    return any(line.error.code == STALE_CATALOG_ITEM for line in cart.line_errors)


def _refresh_catalog_item_ids(lines: list[OrderLine], client: PartnerCenterClient) -> None:
    availabilities = {}
    for product_id, sku_id in dict.fromkeys((line.product_id, line.sku_id) for line in lines):
        availabilities[product_id, sku_id] = client.list_availabilities(product_id, sku_id)
    for line in lines:
        offered = [
            availability
            for availability in availabilities[line.product_id, line.sku_id]
            if availability.offers(term_duration=line.term, billing_cycle=line.billing)
        ]
        if not offered:
            raise StepFailed(
                Failure(
                    reason=FailureReason.PARTNER_CENTER_REJECTED,
                    code="offer_unavailable",
                    detail=f"{line.product_id}:{line.sku_id} {line.term} {line.billing} "
                    "non è più disponibile in Partner Center.",
                )
            )
        line.catalog_item_id = offered[0].catalog_item_id
    OrderLine.objects.bulk_update(lines, ["catalog_item_id"])


def _cart_line_request(order: Order, line: OrderLine) -> CartLineRequest:
    return CartLineRequest(
        catalog_item_id=line.catalog_item_id,
        quantity=line.quantity,
        term_duration=line.term,
        billing_cycle=line.billing,
        transaction_reseller_mpn_id=order.mpn_id,
    )


def step_checkout(order: Order, client: PartnerCenterClient) -> None:
    if order.checked_out_at is not None:
        return None
    lines = _lines_to_order(order)
    try:
        result = partner_center_post(
            order,
            "checkout_request_id",
            lambda request_id: client.checkout_cart(
                request_id=request_id,
                customer_id=order.partner_center_customer_id,
                cart_id=order.partner_center_cart_id,
            ),
        )
    except BUSINESS_ERRORS:
        # Refused for good: whatever is fixed before a retry, the retry starts from a new cart.
        order_record(order, partner_center_cart_id="", cart_request_id="")
        raise
    ordered = _assign_order_line_items(lines, result)
    if result.order_errors:
        # The lines that did get an order keep it; a retry puts the others in a new cart.
        error = result.order_errors[0]
        order_record(order, partner_center_cart_id="", cart_request_id="", checkout_request_id="")
        raise StepFailed(failure_from_code(code=error.code, description=error.description))
    if len(ordered) < len(lines):
        raise StepFailed(
            Failure(
                reason=FailureReason.PARTNER_CENTER_REJECTED,
                code="checkout_unmatched",
                detail="Il checkout non ha restituito un ordine per ogni riga: verificare in "
                "Partner Center prima di riprovare.",
            )
        )
    order_ids = ", ".join(order_.id for order_ in result.orders)
    step_done(
        order,
        f"Ordine inviato a Microsoft (ordini {order_ids}).",
        step=Step.CHECKOUT,
        checked_out_at=timezone.now(),
    )
    return None


def _assign_order_line_items(lines: list[OrderLine], result: CheckoutResult) -> list[OrderLine]:
    """Give each line the Partner Center order (and subscription) of its order line item."""
    unassigned = list(lines)
    assigned = []
    for partner_center_order in result.orders:
        for item in partner_center_order.line_items:
            line = next(
                (
                    candidate
                    for candidate in unassigned
                    if candidate.catalog_item_id == item.offer_id
                    and candidate.quantity == item.quantity
                ),
                None,
            )
            if line is None:
                continue
            unassigned.remove(line)
            line.partner_center_order_id = partner_center_order.id
            line.partner_center_subscription_id = item.subscription_id
            assigned.append(line)
    OrderLine.objects.bulk_update(
        assigned, ["partner_center_order_id", "partner_center_subscription_id"]
    )
    return assigned


# --- Activation ----------------------------------------------------------------------------


def step_await_activation(order: Order, client: PartnerCenterClient) -> float | None:
    if order.activated_at is not None:
        return None
    if order.activation_wait_started_at is None:
        # The timeout counts from when this wait (re)started: a retry by staff waits anew.
        order_record(order, activation_wait_started_at=timezone.now())
    lines = list(order.lines.order_by("position"))
    by_order = defaultdict(list)
    for line in lines:
        if not line.is_subscription_active:
            by_order[line.partner_center_order_id].append(line)
    for partner_center_order_id, order_lines in by_order.items():
        try:
            subscriptions = client.list_subscriptions_by_order(
                order.partner_center_customer_id, partner_center_order_id
            )
        except PartnerCenterNotFound:
            continue  # a just placed order is not visible for a while (404, code 20000)
        _update_subscriptions(order_lines, subscriptions)
    if order.transient_failures:
        order_record(
            order, transient_failures=0
        )  # Partner Center answered: the run of errors ended
    if any(not line.is_subscription_active for line in lines):
        if timezone.now() - order.activation_wait_started_at > conf.activation_timeout():
            raise StepFailed(
                Failure(
                    reason=FailureReason.PARTNER_CENTER_UNAVAILABLE,
                    code="activation_timeout",
                    detail="Le sottoscrizioni non risultano attive in Partner Center dopo "
                    f"{conf.activation_timeout()}.",
                )
            )
        return conf.poll_seconds()
    summary = ", ".join(
        f"{line.sku_title} ({line.partner_center_subscription_id})" for line in lines
    )
    step_done(
        order,
        f"Sottoscrizioni attive: {summary}.",
        step=Step.ACTIVATION,
        activated_at=timezone.now(),
    )
    return None


def _update_subscriptions(lines: list[OrderLine], subscriptions: tuple[Subscription, ...]) -> None:
    unclaimed = {subscription.id: subscription for subscription in subscriptions}
    for line in sorted(lines, key=lambda line: not line.partner_center_subscription_id):
        subscription = unclaimed.pop(line.partner_center_subscription_id, None) or _same_offer(
            line, unclaimed
        )
        if subscription is None:
            continue
        line.partner_center_subscription_id = subscription.id
        line.subscription_status = subscription.status.lower()
        line.subscription_started_at = subscription.creation_date
    OrderLine.objects.bulk_update(
        lines,
        ["partner_center_subscription_id", "subscription_status", "subscription_started_at"],
    )


def _same_offer(line: OrderLine, unclaimed: dict[str, Subscription]) -> Subscription | None:
    """For a line whose order line item named no subscription: the one of the same offer."""
    if line.partner_center_subscription_id:
        return None
    offer = f"{line.product_id}:{line.sku_id}"
    for subscription in unclaimed.values():
        if (
            subscription.offer_id.startswith(offer)
            and subscription.term_duration == line.term
            and subscription.quantity == line.quantity
        ):
            return unclaimed.pop(subscription.id)
    return None
