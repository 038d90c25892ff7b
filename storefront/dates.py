"""Dates as the business reads them: the calendar day in Italy.

"Today" decides the price in force, the pro-rata and every Partner Center deadline shown to a
reseller, whatever the server's or the user's time zone (docs/product.md).
"""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.utils import timezone

ROME = ZoneInfo("Europe/Rome")


def rome_today(*, now: datetime | None = None) -> date:
    """The calendar date in Italy, which decides the price in force and the pro-rata."""
    return timezone.localtime(now or timezone.now(), ROME).date()
