from django.shortcuts import render
from django.urls import reverse
from django.utils import translation


class HealthCheckMiddleware:
    """Answer the health check before anything reads the Host header or redirects to HTTPS.

    Probes (docker-compose's healthcheck, a load balancer) call the container by its address
    over plain HTTP: with production settings that request is a DisallowedHost 400, or an HTTPS
    redirect, before it reaches the view. The answer says only whether the database responds.
    First in MIDDLEWARE.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.health_path = None

    def __call__(self, request):
        if self.health_path is None:
            self.health_path = reverse("health")
        if request.path == self.health_path and request.method in ("GET", "HEAD"):
            from storefront.views import health

            response = health(request)
            # What SecurityMiddleware, skipped here, adds to every answer.
            response.headers.setdefault("X-Content-Type-Options", "nosniff")
            return response
        return self.get_response(request)


class ResellerRequiredMiddleware:
    """Storefront pages are for the users of active resellers only; staff use the admin.

    Runs after LoginRequiredMiddleware, so the user is signed in here unless the view is marked
    ``login_not_required`` (sign-in, password reset, health, sandbox pages), which this leaves
    alone too. The users of a reseller staff deactivated (``Reseller.is_active`` unticked) get,
    on every page and for every method, a page that says so with the support contact: no cart,
    wizard or order action runs. Signing out still works.
    """

    ALLOWED_TO_DEACTIVATED = frozenset({"logout"})

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not getattr(view_func, "login_required", True):
            return None
        if request.resolver_match.app_name == "admin":
            return None
        if not request.user.is_authenticated:
            return None
        if request.user.reseller_id is None:
            return render(request, "storefront/no_reseller.html", status=403)
        if (
            not request.user.reseller.is_active
            and request.resolver_match.view_name not in self.ALLOWED_TO_DEACTIVATED
        ):
            return render(request, "storefront/reseller_inactive.html", status=403)
        return None


class UserLanguageMiddleware:
    """A signed-in user's chosen language wins over the browser's and the cookie."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.language:
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        return self.get_response(request)
