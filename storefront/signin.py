"""Sign-in protection: what django-axes records a failed sign-in under."""

from django.conf import settings
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
