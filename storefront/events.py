"""What every event table shares (orders', change requests'): parameters are facts for staff and
the reseller, never a secret (docs/architecture.md#state-machines-and-events)."""

# Parameter names that would mean a secret went into a history.
SECRET_WORDS = ("password", "token", "secret", "credential")


def event_parameters_refuse_secrets(parameters: dict, *, event: str) -> None:
    """ValueError when a parameter's name says it holds a secret: a bug, never stored."""
    secrets = [name for name in parameters if any(word in name for word in SECRET_WORDS)]
    if secrets:
        raise ValueError(f"{event} never stores a secret: {secrets}")
