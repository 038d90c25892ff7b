"""Sign-in protection: what django-axes records a failed sign-in under, and the account lock."""

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest

# AccessAttempt.username and AccessFailureLog.username are varchar(255).
AXES_USERNAME_MAX_LENGTH = 255


def axes_username(request: HttpRequest, credentials: dict | None = None) -> str | None:
    """The username typed, cut to what axes' tables hold (settings.AXES_USERNAME_CALLABLE).

    Django's sign-in forms check the username's length only in the browser (``maxlength``) and
    pass any length to ``authenticate()``; axes stored it as is, and a 10 000-character username
    was a 500. No account has a username that long (e-mail: 254), so no lockout changes.
    """
    field_name = settings.AXES_USERNAME_FORM_FIELD
    source = credentials if credentials else getattr(request, "data", request.POST)
    username = source.get(field_name)
    if username is None:
        return None
    return str(username).replace("\x00", "")[:AXES_USERNAME_MAX_LENGTH]


class AccountLockoutHandler(AxesDatabaseHandler):
    """django-axes' database handler, plus a lock on the account itself (settings.AXES_HANDLER).

    Axes locks the (e-mail, address) pair after AXES_FAILURE_LIMIT failures; an attacker with
    many addresses gets that many guesses from each. This also locks the e-mail from every
    address once AXES_ACCOUNT_FAILURE_LIMIT failures from any addresses fall within the cool-off
    time. Successful sign-ins reset only their own address's failures, so a user signing in from
    the office does not wipe the count of a distributed attack.
    """

    def account_failures(self, request, credentials: dict | None = None) -> int:
        username = get_client_username(request, credentials)
        if not username:
            return 0
        attempts = AccessAttempt.objects.filter(username=username)
        if settings.AXES_COOLOFF_TIME is not None:
            attempts = attempts.filter(attempt_time__gte=get_cool_off_threshold(request))
        return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0

    def is_account_locked(self, request, credentials: dict | None = None) -> bool:
        return self.account_failures(request, credentials) >= settings.AXES_ACCOUNT_FAILURE_LIMIT

    def is_locked(self, request, credentials: dict | None = None) -> bool:
        return super().is_locked(request, credentials) or self.is_account_locked(
            request, credentials
        )

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        super().user_login_failed(sender, credentials, request, **kwargs)
        if request is None or getattr(request, "axes_locked_out", False):
            return
        if self.is_whitelisted(request, credentials):
            return
        if self.is_account_locked(request, credentials):
            # The failure that reaches the limit is already answered with the lockout page.
            request.axes_locked_out = True
            request.axes_credentials = credentials
            user_locked_out.send(
                "axes",
                request=request,
                username=get_client_username(request, credentials),
                ip_address=request.axes_ip_address,
            )
