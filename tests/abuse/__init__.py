"""The abuse proof: every URL × role × method, CSRF on every POST, hostile input
(docs/product.md#quality-bars).

- world.py: the data (resellers Alfa, Beta, deactivated Gamma, staff) and the roles; a pytest
  plugin registered in the root conftest.py (the ``world`` fixture).
- routes.py: the URL table (every URL of the project, how to fill it, what each role gets);
  forms.py: the forms and queries hostile input is sent to; checks.py: the checks run on them.
- test_<area>.py: the checks on one area's URLs and forms (accounts, catalog_cart, customers,
  purchase, orders, subscriptions: routes.AREAS maps each URL namespace to its area).
- test_url_table.py: every URL of the project is in the table and in an area;
  test_lookup_limits.py: limits on Partner Center lookups; test_hostile_pages.py: hostile text in
  every page's query string and in paths.
"""
