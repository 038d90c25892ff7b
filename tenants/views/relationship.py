"""The branch A panel: the invitation link and the e-mail for the customer's administrator."""

from urllib.parse import quote

from django.http import HttpRequest
from django.template.loader import render_to_string

from tenants.services import reseller_invitation_url


def relationship_panel_context(request: HttpRequest, *, domain: str, company, contact) -> dict:
    """Context of tenants/_relationship_panel.html for an existing tenant without relationship.

    ``company``/``contact``: anything with ``company_name`` / ``contact_email`` (a Customer or the
    wizard's values). The link is "" while the reseller's Partner Center tenant id is not known
    (its MPN ID not validated yet): the page says so, with the support contact. Makes no call.
    """
    reseller = request.user.reseller
    invitation_url = reseller_invitation_url(reseller=reseller, domain=domain)
    company_name = _get(company, "company_name")
    email_context = {
        "domain": domain,
        "company_name": company_name,
        "invitation_url": invitation_url,
        "reseller_name": reseller.company_name,
        "sender_name": request.user.get_full_name() or request.user.email,
    }
    subject = render_to_string("tenants/invitation_email_subject.txt", email_context).strip()
    body = render_to_string("tenants/invitation_email.txt", email_context)
    contact_email = _get(contact, "contact_email")
    return {
        "invitation_url": invitation_url,
        "invitation_domain": domain,
        "invitation_email_subject": subject,
        "invitation_email_body": body,
        "invitation_mailto": (
            f"mailto:{quote(contact_email, safe='@')}"
            f"?subject={quote(subject, safe='')}&body={quote(body, safe='')}"
        ),
    }


def _get(source, name: str) -> str:
    if isinstance(source, dict):
        return str(source.get(name, ""))
    return str(getattr(source, name, ""))
