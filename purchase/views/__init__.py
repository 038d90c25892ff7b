"""The purchase wizard after «Checkout >>»: Cliente → Azienda → Tenant → Partner → Conferma.

Every step reads and writes the cart's PurchaseDraft (purchase.models), never the session: reloads,
«<< Indietro», errors and a second tab all find the same data. «<< Indietro» is a submit button
(``action=back``) so that what is on the page is kept too. The pages work without JavaScript;
static/js/wizard.js only adds the live «Domain Prefix» check and the copy buttons.
"""

from purchase.views.steps import (
    purchase_company,
    purchase_confirm,
    purchase_customer,
    purchase_partner,
)
from purchase.views.tenant import prefix_check, purchase_tenant

__all__ = [
    "prefix_check",
    "purchase_company",
    "purchase_confirm",
    "purchase_customer",
    "purchase_partner",
    "purchase_tenant",
]
