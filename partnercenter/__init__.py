"""Microsoft Partner Center: the client (plain Python: client, transport, auth, resources, errors),
the storefront's side of it (models, services, admin, commands). The local stand-in is
the top-level package partnercenter_sandbox, which nothing here imports."""
