"""The sandbox's configuration from the Django settings (development and tests only)."""

from django.conf import settings

from partnercenter_sandbox.config import IN_MEMORY, SandboxConfig


def sandbox_config_from_settings(*, in_memory: bool) -> SandboxConfig:
    return SandboxConfig(
        tenant_id=settings.PARTNER_CENTER_TENANT_ID,
        client_id=settings.PARTNER_CENTER_CLIENT_ID,
        client_secret=settings.PARTNER_CENTER_CLIENT_SECRET,
        database_path=IN_MEMORY if in_memory else settings.PARTNER_CENTER_SANDBOX_DB,
        control_api_enabled=settings.PARTNER_CENTER_SANDBOX_ENABLED,
    )
