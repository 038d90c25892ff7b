"""Rendering the outbox e-mails: HTML and plain text, in the recipient's language.

Templates live in templates/notifications/email/<language>/<kind>{_subject.txt,.txt,.html}: one
set per language rather than a message catalogue, because e-mails are prose that a translator
writes as a whole. Rendering runs under ``translation.override`` so that dates, amounts (the
``euro`` filter) and catalog labels follow the language too. Staff alerts are Italian only.
"""

from collections.abc import Callable
from email.utils import parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation

from notifications.models import Email

EMAIL_LANGUAGES = ("it", "en")
STAFF_KINDS = frozenset({Email.Kind.STAFF_FAILURE_ALERT, Email.Kind.STAFF_PASSWORD_RESET})


class EmailRenderError(Exception):
    """The e-mail cannot be written (e.g. the credentials are no longer stored)."""


# Apps above this one register the context of their own kinds (in AppConfig.ready), so that the
# outbox stays the mechanism only and never imports them.
_CONTEXT_BUILDERS: dict[str, Callable[[Email], dict]] = {}


def email_context_register(kind: str, build: Callable[[Email], dict]) -> None:
    _CONTEXT_BUILDERS[kind] = build


def render_email(email: Email) -> EmailMultiAlternatives:
    language = email.language if email.language in EMAIL_LANGUAGES else "it"
    if email.kind in STAFF_KINDS:
        language = "it"
    base = f"notifications/email/{language}/{email.kind}"
    with translation.override(language):
        context = _context(email)
        subject = " ".join(render_to_string(f"{base}_subject.txt", context).split())
        text = render_to_string(f"{base}.txt", context)
        html = render_to_string(f"{base}.html", context)
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=email.recipients,
        headers={"Message-ID": _message_id(email)},
    )
    message.attach_alternative(html, "text/html")
    return message


def _context(email: Email) -> dict:
    build = _CONTEXT_BUILDERS.get(email.kind)
    if build is None:
        raise EmailRenderError(f"no app registered the content of the {email.kind} e-mail")
    return {**build(email), "email": email}


def _message_id(email: Email) -> str:
    """Stable per outbox row: a copy re-sent after a crash is recognisably the same message."""
    _, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    domain = address.rpartition("@")[2] or "storefront.local"
    return f"<csp-storefront-email-{email.pk}@{domain}>"
