from django.apps import AppConfig


class PartnerCenterSandboxConfig(AppConfig):
    """Only for its management command; installed when PARTNER_CENTER_SANDBOX_ENABLED."""

    name = "partnercenter_sandbox"
    verbose_name = "Partner Center sandbox"
