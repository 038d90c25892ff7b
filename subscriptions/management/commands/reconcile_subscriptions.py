"""Orders, change requests and the mirror against Partner Center (subscriptions/reconciliation.py).

It lives here, above orders, because it knows about change requests; orders' own comparison is
orders.reconciliation.
"""

from django.core.management.base import BaseCommand, CommandError

from orders.models import Order, OrderStatus
from partnercenter.errors import PartnerCenterError
from partnercenter.services import partner_center_client
from subscriptions.reconciliation import change_requests_stuck, subscriptions_reconcile_order


class Command(BaseCommand):
    help = (
        "Report the differences between the subscriptions the storefront recorded for its active "
        "orders (or one order) and those Partner Center has: missing, unknown, status, quantity "
        "(less what completed change requests explain), the mirror lagging behind, change "
        "requests open for over an hour. Reads only: differences are for staff to look into."
    )

    def add_arguments(self, parser):
        parser.add_argument("--order", type=int, metavar="ID", help="only the order with this id")

    def handle(self, *args, order: int | None, **options):
        orders = self._orders(order)
        differences = []
        try:
            with partner_center_client() as client:
                for each in orders:
                    found = subscriptions_reconcile_order(order=each, client=client)
                    for difference in found:
                        self.stdout.write(str(difference))
                    differences += found
        except PartnerCenterError as exc:
            raise CommandError(f"Partner Center could not answer: {exc.message}") from exc
        if order is None:
            for stuck in change_requests_stuck():
                self.stdout.write(str(stuck))
                differences.append(stuck)
        summary = f"{len(orders)} orders checked, {len(differences)} differences."
        style = self.style.WARNING if differences else self.style.SUCCESS
        self.stdout.write(style(summary))

    @staticmethod
    def _orders(order_id: int | None) -> list[Order]:
        orders = Order.objects.exclude(partner_center_customer_id="").order_by("pk")
        if order_id is None:
            return list(orders.filter(status=OrderStatus.ACTIVE))
        found = list(orders.filter(pk=order_id))
        if not found:
            raise CommandError(f"No order with id {order_id} placed in Partner Center.")
        return found
