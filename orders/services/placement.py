"""Placing an order: one transaction from the confirmed cart to the order the worker provisions."""

import logging

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from checkout.models import Cart
from checkout.selectors import CartSummary, cart_summary
from orders.errors import OrderPlacementError
from orders.events import event_order_placed
from orders.models import Order, OrderLine
from orders.services.status import order_enqueue_provisioning
from storefront.dates import rome_today
from storefront.validators import validate_mpn_id
from tenants.models import Customer

logger = logging.getLogger(__name__)


def order_place(*, cart: Cart, user, customer: Customer, mpn_id: str) -> Order:
    """Place the order of ``cart`` for ``customer``; the provisioning task runs after commit.

    Idempotent by the cart's checkout_token: a repeat (double click, reload, second tab) returns
    the order already placed, whatever the cart looks like now. Raises OrderPlacementError, having
    written nothing, when the cart cannot be ordered (empty, «Checkout >>» or terms missing,
    lines no longer sold or repriced) or the cart or customer belong to another reseller.
    """
    existing = _order_of_checkout(cart=cart, user=user)
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            order = _place(cart=cart, user=user, customer=customer, mpn_id=mpn_id)
    except IntegrityError:
        # Another request placed the same checkout between our check and our insert.
        existing = _order_of_checkout(cart=cart, user=user)
        if existing is None:
            raise
        return existing
    return order


def _order_of_checkout(*, cart: Cart, user) -> Order | None:
    existing = Order.objects.filter(idempotency_key=cart.checkout_token).first()
    if existing is not None and existing.reseller_id != user.reseller_id:
        raise OrderPlacementError("cart_not_yours", _("Questo carrello non è tuo."))
    return existing


def _place(*, cart: Cart, user, customer: Customer, mpn_id: str) -> Order:
    # Locking the cart serialises concurrent placements of it: the second one then finds the
    # order of the first (the unique idempotency key is the backstop).
    locked = Cart.objects.select_for_update().get(pk=cart.pk)
    existing = _order_of_checkout(cart=locked, user=user)
    if existing is not None:
        return existing
    _check_placeable(cart=locked, user=user, customer=customer, mpn_id=mpn_id)
    summary = cart_summary(cart=locked, reseller=user.reseller, today=rome_today())
    _check_summary(summary)
    assert locked.terms_acceptance_id is not None, "_check_placeable: the terms are accepted"
    order = Order.objects.create(
        reseller=user.reseller,
        user=user,
        customer=customer,
        cart=locked,
        idempotency_key=locked.checkout_token,
        purchase_type=locked.purchase_type or Cart.PurchaseType.RESALE,
        mpn_id=mpn_id,
        terms_acceptance_id=locked.terms_acceptance_id,
        tenant_domain=customer.tenant_domain,
        is_new_tenant=_is_new_tenant(customer),
        vat_rate=summary.vat_rate,
        estimated_usage_total=summary.estimated_usage_total,
        attention_due_at=timezone.now(),
        **_billing_totals(summary),
    )
    _snapshot_lines(order, summary)
    locked.status = Cart.Status.ORDERED
    locked.save(update_fields=["status", "updated_at"])
    event_order_placed(order=order, user=user, company_name=customer.company_name)
    order_enqueue_provisioning(order_id=order.pk)
    return order


def _is_new_tenant(customer: Customer) -> bool:
    # A "new tenant" customer whose tenant an earlier order already created is existing now.
    return (
        customer.tenant_kind == Customer.TenantKind.NEW and not customer.partner_center_customer_id
    )


def _check_placeable(*, cart: Cart, user, customer: Customer, mpn_id: str) -> None:
    if user.reseller_id is None or cart.reseller_id != user.reseller_id:
        raise OrderPlacementError("cart_not_yours", _("Questo carrello non è tuo."))
    if customer.reseller_id != user.reseller_id:
        raise OrderPlacementError("customer_not_yours", _("Questo cliente non è tuo."))
    if cart.terms_acceptance_id is None:
        raise OrderPlacementError(
            "terms_missing", _("Accetta i termini di vendita prima di completare l'ordine.")
        )
    if not cart.is_checkout_started:
        raise OrderPlacementError(
            "checkout_not_started",
            _("Conferma prima il carrello: accetta i termini di vendita e premi «Checkout >>»."),
        )
    try:
        validate_mpn_id(mpn_id)
    except ValidationError as exc:
        raise OrderPlacementError("mpn_id_invalid", exc.messages[0]) from exc


def _check_summary(summary: CartSummary) -> None:
    if summary.is_empty:
        raise OrderPlacementError("cart_empty", _("Il carrello è vuoto."))
    if summary.has_unavailable_lines:
        raise OrderPlacementError(
            "lines_unavailable",
            _("Alcuni prodotti del carrello non sono più in vendita: aggiorna il carrello."),
        )
    if summary.has_price_changes:
        raise OrderPlacementError(
            "prices_changed",
            _("Alcuni prezzi sono cambiati: controlla il carrello e premi di nuovo «Checkout >>»."),
        )


def _billing_totals(summary: CartSummary) -> dict:
    # Plan.Billing values name the fields: monthly_net/monthly_vat, annual_net/annual_vat.
    totals = {}
    for total in summary.totals:
        totals[f"{total.billing}_net"] = total.net
        totals[f"{total.billing}_vat"] = total.vat
    return totals


def _snapshot_lines(order: Order, summary: CartSummary) -> None:
    """Copy every line with its prices of today: base lines first, then their add-ons."""
    positions = {line.line_id: position for position, line in enumerate(summary.all_lines, 1)}
    base_lines = OrderLine.objects.bulk_create(
        _order_line(order, line, positions) for line in summary.all_lines if not line.is_addon
    )
    by_cart_line = {
        line.line_id: created for line, created in zip(summary.lines, base_lines, strict=True)
    }
    OrderLine.objects.bulk_create(
        _order_line(order, line, positions, base_line=by_cart_line[line.base_line_id])
        for line in summary.all_lines
        if line.base_line_id is not None
    )


def _order_line(order, line, positions, base_line=None) -> OrderLine:
    return OrderLine(
        order=order,
        position=positions[line.line_id],
        base_line=base_line,
        product_id=line.product_id,
        sku_id=line.sku_id,
        product_title=line.product_title,
        sku_title=line.sku_title,
        term=line.term,
        billing=line.billing,
        unit_price=line.unit_price,
        quantity=line.quantity,
        line_total=line.line_total,
        estimated_usage=line.estimated_usage,
    )
