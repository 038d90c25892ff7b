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
        "Riporta le differenze tra le sottoscrizioni registrate dallo storefront per gli ordini "
        "attivi (o per un ordine) e quelle di Partner Center: mancanti, sconosciute, stato, "
        "licenze (al netto di quanto spiegano le richieste di modifica completate), lo specchio "
        "rimasto indietro, richieste di modifica aperte da oltre un'ora. Solo lettura: le "
        "differenze le verifica lo staff."
    )

    def add_arguments(self, parser):
        parser.add_argument("--order", type=int, metavar="ID", help="solo l'ordine con questo id")

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
