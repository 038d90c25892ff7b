"""Links of the rows of a list page, with one ``reverse()`` for the page instead of one per row.

``{% url %}`` in a loop resolves the route again for every row; a table of 25 rows spent more on
that than on its SQL (bench/README.md). The route is reversed once with a marker for the key,
and each row's link is the two halves around its own key: the same text ``{% url %}`` writes.
"""

from collections.abc import Iterable

from django.urls import reverse

_MARKER = "2147483647"  # an int the <int:pk> converter accepts and no route contains otherwise


def rows_with_detail_urls(rows: Iterable, viewname: str) -> list:
    """``rows`` as a list, each with ``detail_url``: the page ``viewname`` of its ``pk``."""
    before, after = reverse(viewname, args=[int(_MARKER)]).split(_MARKER)
    rows = list(rows)
    for row in rows:
        row.detail_url = f"{before}{row.pk}{after}"
    return rows
