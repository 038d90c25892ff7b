"""Microsoft Partner Center: the client (plain Python: client, transport, auth, resources, errors),
the storefront's side of it (models, services, admin, commands) and the local sandbox."""
