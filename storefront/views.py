"""Project-level pages: home, health, language choice, the reseller's profile."""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from storefront.models import User
from storefront.ratelimits import client_ip, limited, rate_limit_retry_after, wait_message
from storefront.scoping import reseller_scoped
from storefront.services import user_set_language


def home(request: HttpRequest) -> HttpResponse:
    return redirect("catalog:index")


@login_not_required
@never_cache
def health(request: HttpRequest) -> JsonResponse:
    """Liveness and database reachability, for load balancers and docker-compose."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        database = "ok"
    except Exception:  # any database failure means "not healthy", whatever its class
        database = "unavailable"
    status = 200 if database == "ok" else 503
    return JsonResponse(
        {"status": "ok" if status == 200 else "error", "database": database}, status=status
    )


@login_not_required
@require_POST
def language_switch(request: HttpRequest) -> HttpResponse:
    language = request.POST.get("language", "")
    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = "/"
    if request.user.is_authenticated:
        user_set_language(user=request.user, language=language)
    # Not redirect(): it would take a "next" without "/" or "." for a URL name (NoReverseMatch).
    response = HttpResponseRedirect(next_url)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=365 * 24 * 3600,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )
    return response


def profile(request: HttpRequest) -> HttpResponse:
    team = reseller_scoped(User, request).order_by("last_name", "first_name", "email")
    return render(
        request, "storefront/profile.html", {"reseller": request.user.reseller, "team": team}
    )


class PasswordResetView(auth_views.PasswordResetView):
    """Django's «Reimposta la password», with at most PASSWORD_RESET_RATE_PER_EMAIL e-mails per
    address typed and PASSWORD_RESET_RATE_PER_IP per client address: no one can flood a mailbox
    or our SMTP. Every address typed counts, whether or not an account has it, so the answer
    over the limit tells nothing about which addresses exist."""

    def form_valid(self, form):
        email = form.cleaned_data["email"].strip().lower()
        retry_after = rate_limit_retry_after(
            self.request,
            group="storefront.password-reset",
            limits=[
                (f"email:{email}", settings.PASSWORD_RESET_RATE_PER_EMAIL),
                (f"ip:{client_ip(self.request)}", settings.PASSWORD_RESET_RATE_PER_IP),
            ],
        )
        if retry_after is None:
            return super().form_valid(form)
        form.add_error(
            None,
            _("Sono già state chieste troppe e-mail di reimpostazione della password: %(wait)s.")
            % {"wait": wait_message(retry_after)},
        )
        return limited(self.form_invalid(form), retry_after)
