"""A local stand-in for Microsoft Partner Center and its identity platform.

Why it exists and why production never imports it: docs/architecture.md#the-sandbox.

Plain Python (werkzeug, sqlite3, cryptography); README.md documents the demo set and the control
API. ``server.start_in_thread`` serves it for tests, ``manage.py partnercenter_sandbox`` for
development.
"""
