"""Request rate limits: django-ratelimit's counters on the default cache (Redis in production,
shared by every process; local memory in development), a fixed window per rate.

Views count a request against several limits at once (per user and per reseller, or per e-mail
address and per client address) and, when one is exceeded, answer with the seconds to wait.
"""

from collections.abc import Iterable

from axes.helpers import get_client_ip_address
from django.http import HttpRequest, HttpResponse
from django.utils.translation import ngettext
from django_ratelimit.core import get_usage


def client_ip(request: HttpRequest) -> str:
    """settings.RATELIMIT_IP_META_KEY: the client's address as django-axes reads it
    (django-ipware and the AXES_IPWARE_* settings), so that both agree behind a proxy."""
    # Without any address (no WSGI server leaves REMOTE_ADDR empty) every such request shares
    # one: limited together, never unlimited, and still an address for django-ratelimit.
    return get_client_ip_address(request) or request.META.get("REMOTE_ADDR") or "0.0.0.0"  # noqa: S104


def rate_limit_retry_after(
    request: HttpRequest, *, group: str, limits: Iterable[tuple[str, str]]
) -> int | None:
    """Count this request against each (value, rate) of ``limits``; None when every one allows
    it, else the seconds until the exceeded ones allow requests again (at least 1)."""
    retry_after = None
    for value, rate in limits:
        usage = get_usage(
            request,
            group=group,
            key=lambda _group, _request, value=value: value,
            rate=rate,
            increment=True,
        )
        if usage is not None and usage["should_limit"]:
            retry_after = max(retry_after or 1, usage["time_left"])
    return retry_after


def wait_message(seconds: int) -> str:
    """«riprova tra N secondi», or minutes past two minutes, in the active language."""
    if seconds > 120:
        minutes = (seconds + 59) // 60
        return ngettext("riprova tra %(count)d minuto", "riprova tra %(count)d minuti", minutes) % {
            "count": minutes
        }
    return ngettext("riprova tra %(count)d secondo", "riprova tra %(count)d secondi", seconds) % {
        "count": seconds
    }


def limited(response: HttpResponse, retry_after: int) -> HttpResponse:
    """The page or answer given instead, as 429 Too Many Requests with its Retry-After."""
    response.status_code = 429
    response["Retry-After"] = str(retry_after)
    return response
