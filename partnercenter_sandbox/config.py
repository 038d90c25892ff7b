"""What a sandbox instance needs to know: the distributor's identity and where state lives."""

from dataclasses import dataclass

IN_MEMORY = ":memory:"
DEFAULT_TENANT_ID = "9171ce5b-baff-48a6-9656-c801daeb9a56"
DEFAULT_CLIENT_ID = "sandbox-client-id"
DEFAULT_CLIENT_SECRET = "sandbox-client-secret"  # noqa: S105 - the sandbox's, public on purpose
# The refresh token of the distributor's service user that the sandbox always accepts.
SANDBOX_REFRESH_TOKEN = "sandbox-refresh-token"  # noqa: S105 - same


@dataclass(frozen=True)
class SandboxConfig:
    tenant_id: str = DEFAULT_TENANT_ID
    client_id: str = DEFAULT_CLIENT_ID
    client_secret: str = DEFAULT_CLIENT_SECRET
    refresh_token: str = SANDBOX_REFRESH_TOKEN
    database_path: str = IN_MEMORY
    # The /_sandbox/ control API and invitation page; off means a plain Partner Center stand-in.
    control_api_enabled: bool = True
