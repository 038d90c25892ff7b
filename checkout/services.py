"""Writes of the cart: add plans and add-ons, change or remove lines, and «Checkout >>».

Every change locks the user's open cart row first, so two tabs changing the same cart apply one
after the other, and voids a «Checkout >>» already done (the user confirms the new cart again).
The checkout token is never rotated here: it identifies the order placed from this cart, from
«Checkout >>» until orders.services.order_place marks the cart ordered; the user's next change
then opens a new cart.
Refusals raise CartError with a stable code and an Italian message; nothing is changed then.
"""

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.core.validators import validate_ipv46_address
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from catalog.models import Sku
from catalog.selectors import (
    PlanPrice,
    addon_plan_prices,
    plan_offer,
    plans_with_prices,
)
from checkout.errors import CartError
from checkout.models import Cart, CartLine, TermsAcceptance, TermsVersion
from checkout.selectors import terms_latest
from storefront.dates import rome_today

DEMO_TERMS_VERSION = "2026.1"


def cart_get_open(*, user) -> Cart:
    """The user's open cart, created on first use; safe when two requests create it at once."""
    if user.reseller_id is None:
        raise CartError("no_reseller", _("Il carrello è riservato agli utenti dei rivenditori."))
    cart = Cart.objects.filter(user=user, status=Cart.Status.OPEN).first()
    if cart is not None:
        return cart
    try:
        with transaction.atomic():
            return Cart.objects.create(user=user, reseller_id=user.reseller_id)
    except IntegrityError:  # another request created it first (checkout_one_open_cart)
        return Cart.objects.get(user=user, status=Cart.Status.OPEN)


@transaction.atomic
def cart_add_plan(
    *,
    user,
    plan_id: int,
    quantity: int,
    addon_quantities: dict[int, int],
    today: date | None = None,
) -> CartLine:
    """Put ``quantity`` licences of a base plan in the cart, with add-ons ``{plan id: licences}``.

    The same plan added again merges into its line (and its add-ons into theirs); limits apply to
    the merged quantities. Returns the base line.
    """
    offer = plan_offer(plan_id=plan_id, reseller=user.reseller, on_date=today or rome_today())
    if offer is None:
        raise CartError("plan_not_sold", _("Il piano scelto non è più in vendita."))
    if offer.sku.is_addon:
        raise CartError(
            "addon_without_base",
            _("%(sku)s è un add-on: si acquista insieme a un prodotto base.")
            % {"sku": offer.sku.title},
        )
    addon_prices = {addon.plan.pk: addon for addon in offer.addon_plan_prices}
    if not set(addon_quantities) <= set(addon_prices):
        raise CartError("addon_not_valid", _("L'add-on scelto non è disponibile con questo piano."))

    cart = _open_cart_locked(user=user)
    base_line = _line_merge(cart=cart, plan_price=offer.plan_price, quantity=quantity)
    for addon_plan_id, addon_quantity in addon_quantities.items():
        addon_line = _line_merge(
            cart=cart,
            plan_price=addon_prices[addon_plan_id],
            quantity=addon_quantity,
            base_line=base_line,
        )
        _check_addon_within_base(addon_line, base_line=base_line)
    _cart_changed(cart)
    return base_line


@transaction.atomic
def cart_line_add_addon(
    *, user, base_line_id: int, plan_id: int, quantity: int, today: date | None = None
) -> CartLine:
    """Add an add-on to a base line already in the cart (merging into it if already there)."""
    cart = _open_cart_locked(user=user)
    base_line = _line_in_cart(cart=cart, line_id=base_line_id)
    if base_line.base_line_id is not None:
        raise CartError(
            "addon_without_base", _("Gli add-on si aggiungono a un prodotto base, non a un add-on.")
        )
    addons = addon_plan_prices(
        base_plan=base_line.plan, reseller=user.reseller, on_date=today or rome_today()
    )
    addon_price = next((addon for addon in addons if addon.plan.pk == plan_id), None)
    if addon_price is None:
        raise CartError("addon_not_valid", _("L'add-on scelto non è disponibile con questo piano."))
    addon_line = _line_merge(
        cart=cart, plan_price=addon_price, quantity=quantity, base_line=base_line
    )
    _check_addon_within_base(addon_line, base_line=base_line)
    _cart_changed(cart)
    return addon_line


@transaction.atomic
def cart_line_set_quantity(*, user, line_id: int, quantity: int) -> CartLine:
    """Change a line's licences within its SKU's limits; add-ons never above their base."""
    cart = _open_cart_locked(user=user)
    line = _line_in_cart(cart=cart, line_id=line_id)
    if quantity == line.quantity:
        return line
    _check_quantity(line.plan.sku, quantity)
    line.quantity = quantity
    if line.base_line is not None:
        _check_addon_within_base(line, base_line=line.base_line)
    else:
        for addon_line in line.addon_lines.select_related("plan__sku"):
            _check_addon_within_base(addon_line, base_line=line)
    line.save(update_fields=["quantity"])
    _cart_changed(cart)
    return line


@transaction.atomic
def cart_line_remove(*, user, line_id: int) -> None:
    """Remove a line; removing a base line removes its add-ons with it."""
    cart = _open_cart_locked(user=user)
    _line_in_cart(cart=cart, line_id=line_id).delete()
    _cart_changed(cart)


@transaction.atomic
def cart_checkout_start(
    *,
    user,
    terms_accepted: bool,
    terms_version_id: int | None,
    purchase_type: str,
    ip_address: str | None,
    now: datetime | None = None,
) -> Cart:
    """«Checkout >>»: record the acceptance of the terms in force and the purchase type.

    Refused unless the terms shown (``terms_version_id``) are the ones in force and accepted, and
    every line is on sale within its limits. The prices in force become the ones "seen". The
    checkout token is kept: a second «Checkout >>» on the same cart leads to the same order.
    """
    now = now or timezone.now()
    cart = _open_cart_locked(user=user)
    lines = list(cart.lines.select_related("plan__sku"))
    if not lines:
        raise CartError("cart_empty", _("Il carrello è vuoto: aggiungi un prodotto dal catalogo."))
    terms = _terms_accepted_or_error(
        terms_accepted=terms_accepted, terms_version_id=terms_version_id, now=now
    )
    if purchase_type not in Cart.PurchaseType.values:
        raise CartError("purchase_type_invalid", _("Scegli il tipo di acquisto."))
    prices = plans_with_prices(
        reseller=user.reseller,
        on_date=rome_today(now=now),
        plan_ids={line.plan_id for line in lines},
    )
    _check_lines_for_checkout(lines, prices)
    for line in lines:
        line.unit_price_seen = prices[line.plan_id].reseller_price
    CartLine.objects.bulk_update(lines, ["unit_price_seen"])

    cart.terms_acceptance = TermsAcceptance.objects.create(
        user=user,
        reseller_id=user.reseller_id,
        terms_version=terms,
        ip_address=_ip_address_or_none(ip_address),
    )
    cart.purchase_type = purchase_type
    cart.checkout_started_at = now
    cart.save(
        update_fields=["terms_acceptance", "purchase_type", "checkout_started_at", "updated_at"]
    )
    return cart


def terms_ensure_demo() -> TermsVersion:
    """The demo terms of sale, published once; seed_demo calls it (re-runnable)."""
    terms, _created = TermsVersion.objects.get_or_create(
        version=DEMO_TERMS_VERSION,
        defaults={
            "title": "Termini di vendita",
            "body": DEMO_TERMS_BODY,
            "published_at": timezone.now(),
        },
    )
    return terms


# --- Helpers -----------------------------------------------------------------------------------


def _open_cart_locked(*, user) -> Cart:
    """The open cart, row-locked until the transaction ends.

    A cart ordered between the read and the lock (another tab placed the order) is left alone and
    a new open cart is taken instead.
    """
    cart = Cart.objects.select_for_update().get(pk=cart_get_open(user=user).pk)
    if cart.status != Cart.Status.OPEN:
        cart = Cart.objects.select_for_update().get(pk=cart_get_open(user=user).pk)
    return cart


def _line_in_cart(*, cart: Cart, line_id: int) -> CartLine:
    line = cart.lines.select_related("plan__sku", "base_line__plan__sku").filter(pk=line_id).first()
    if line is None:
        raise CartError("line_not_found", _("Questa riga non è più nel carrello."))
    return line


def _line_merge(
    *, cart: Cart, plan_price: PlanPrice, quantity: int, base_line: CartLine | None = None
) -> CartLine:
    plan = plan_price.plan
    line = CartLine.objects.filter(cart=cart, plan=plan, base_line=base_line).first()
    in_cart = line.quantity if line is not None else 0
    _check_quantity(plan.sku, quantity, in_cart=in_cart)
    if line is None:
        return CartLine.objects.create(
            cart=cart,
            plan=plan,
            base_line=base_line,
            quantity=quantity,
            unit_price_seen=plan_price.reseller_price,
        )
    line.quantity = in_cart + quantity
    line.unit_price_seen = plan_price.reseller_price  # added again: the user saw today's price
    line.save(update_fields=["quantity", "unit_price_seen"])
    return line


def _cart_changed(cart: Cart) -> None:
    """A change after «Checkout >>» voids it: the terms and the purchase are confirmed again."""
    cart.checkout_started_at = None
    cart.terms_acceptance = None
    cart.save(update_fields=["checkout_started_at", "terms_acceptance", "updated_at"])


def _check_quantity(sku: Sku, quantity: int, *, in_cart: int = 0) -> None:
    total = in_cart + quantity
    if quantity < 1 or total < sku.min_quantity:
        raise CartError(
            "quantity_below_min",
            ngettext(
                "Per %(sku)s serve almeno %(min)d licenza.",
                "Per %(sku)s servono almeno %(min)d licenze.",
                sku.min_quantity,
            )
            % {"sku": sku.title, "min": sku.min_quantity},
        )
    if total > sku.max_quantity:
        message = ngettext(
            "Per %(sku)s si può acquistare al massimo %(max)d licenza.",
            "Per %(sku)s si possono acquistare al massimo %(max)d licenze.",
            sku.max_quantity,
        ) % {"sku": sku.title, "max": sku.max_quantity}
        if in_cart:
            message += " " + _("Nel carrello ce ne sono già %(count)d.") % {"count": in_cart}
        raise CartError("quantity_above_max", message)


def _check_addon_within_base(addon_line: CartLine, *, base_line: CartLine) -> None:
    addon_sku = addon_line.plan.sku
    if addon_sku.allows_quantity_above_base or addon_line.quantity <= base_line.quantity:
        return
    raise CartError(
        "addon_above_base",
        _(
            "Le licenze di %(addon)s (%(quantity)d) non possono superare quelle di %(base)s "
            "(%(base_quantity)d)."
        )
        % {
            "addon": addon_sku.title,
            "quantity": addon_line.quantity,
            "base": base_line.plan.sku.title,
            "base_quantity": base_line.quantity,
        },
    )


def _check_lines_for_checkout(lines: list[CartLine], prices: dict[int, PlanPrice]) -> None:
    """What may have changed since the lines were added: sale, SKU limits (catalog sync)."""
    unavailable = [line.plan.sku.title for line in lines if line.plan_id not in prices]
    if unavailable:
        raise CartError(
            "lines_unavailable",
            _("Non più in vendita: %(titles)s. Rimuovili dal carrello per continuare.")
            % {"titles": ", ".join(unavailable)},
        )
    lines_by_id = {line.pk: line for line in lines}
    for line in lines:
        _check_quantity(line.plan.sku, line.quantity)
        if line.base_line_id is not None:
            _check_addon_within_base(line, base_line=lines_by_id[line.base_line_id])


def _terms_accepted_or_error(
    *, terms_accepted: bool, terms_version_id: int | None, now: datetime
) -> TermsVersion:
    terms = terms_latest(now=now)
    if terms is None:
        raise CartError(
            "terms_unavailable",
            _(
                "I termini di vendita non sono ancora pubblicati, quindi per ora non è possibile "
                "procedere: contatta l'assistenza."
            ),
        )
    if not terms_accepted:
        raise CartError(
            "terms_required",
            _("Per procedere devi leggere e accettare i termini di vendita."),
        )
    if terms_version_id != terms.pk:
        raise CartError(
            "terms_outdated",
            _("I termini di vendita sono stati aggiornati: leggi la nuova versione e accettala."),
        )
    return terms


def _ip_address_or_none(ip_address: str | None) -> str | None:
    try:
        validate_ipv46_address(ip_address or "")
    except ValidationError:
        return None
    return ip_address


DEMO_TERMS_BODY = """\
1. Oggetto. Le presenti condizioni regolano l'acquisto, da parte del rivenditore, di abbonamenti
Microsoft 365 nell'ambito del programma Cloud Solution Provider (CSP), per la rivendita ai propri
clienti finali o per uso interno.

2. Ordini. L'ordine è vincolante dalla conferma nel portale. Gli abbonamenti New Commerce (NCE)
hanno la durata e la frequenza di fatturazione scelte e non possono essere annullati oltre i
termini previsti da Microsoft.

3. Prezzi e fatturazione. I prezzi sono in euro, IVA esclusa. L'«Utilizzo stimato» del primo mese
è una stima del rateo fino alla fine del mese e non costituisce fattura.

4. Cliente finale. Il rivenditore garantisce di aver ottenuto dal cliente finale l'accettazione
del Microsoft Customer Agreement e la correttezza dei dati trasmessi.

5. Assistenza. Per qualsiasi problema il rivenditore contatta l'assistenza del distributore.

(Testo dimostrativo.)
"""
