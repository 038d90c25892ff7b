from django.shortcuts import render
from django.utils import translation


class ResellerRequiredMiddleware:
    """Storefront pages are for reseller users only; staff use the admin.

    Runs after LoginRequiredMiddleware, so the user is signed in here unless the view is marked
    ``login_not_required`` (sign-in, password reset, health, sandbox pages), which this leaves
    alone too.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not getattr(view_func, "login_required", True):
            return None
        if request.resolver_match.app_name == "admin":
            return None
        if request.user.is_authenticated and request.user.reseller_id is None:
            return render(request, "storefront/no_reseller.html", status=403)
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
