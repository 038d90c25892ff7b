from django.conf import settings


def storefront(request):
    return {"SUPPORT_EMAIL": settings.SUPPORT_EMAIL}
