"""The checkout wizard after «Checkout >>»: Cliente → Azienda → Tenant → Partner → Conferma.

Every step reads and writes the cart's CheckoutDraft (tenants.models), never the session: reloads,
«<< Indietro», errors and a second tab all find the same data. «<< Indietro» is a submit button
(``action=back``) so that what is on the page is kept too. The pages work without JavaScript;
static/js/wizard.js only adds the live «Domain Prefix» check and the copy buttons.
"""

from tenants.views.wizard.steps import (
    checkout_company,
    checkout_confirm,
    checkout_customer,
    checkout_partner,
)
from tenants.views.wizard.tenant import checkout_tenant, prefix_check

__all__ = [
    "checkout_company",
    "checkout_confirm",
    "checkout_customer",
    "checkout_partner",
    "checkout_tenant",
    "prefix_check",
]
