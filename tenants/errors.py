"""Domain errors of customers and tenants: a stable ``code`` and a message for the user.

Views show ``message`` (Italian, English through gettext) with the next step; logs keep the cause
(the Partner Center error chained as ``__cause__``).
"""

from django.utils.translation import gettext_lazy as _

from storefront.errors import UserFacingError


class TenantsError(UserFacingError):
    code = "tenants_error"


class DomainPrefixInvalidError(TenantsError):
    code = "domain_prefix_invalid"
    default_message = _("Il Domain Prefix ha da 1 a 27 caratteri, solo lettere e cifre.")
