"""Staff's view of orders: filters, timeline, Partner Center calls, e-mails, and the actions.

Everything is read-only here, the change form included: a "Save" would write every column of the
order as it was read, past order_set_status and the worker's guarded writes (reverting a status
or a request id, restoring an erased password). What staff may change goes through the actions,
which call the same services as the worker (orders/services/staff.py) and record who acted. The
new tenant's encrypted password is never shown: only whether one is still waiting for e-mail 1.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from notifications.models import Email
from orders.errors import OrderError
from orders.event_messages import event_staff_text
from orders.models import Order, OrderEvent, OrderLine
from orders.provisioning.relationship import RelationshipOutcome
from orders.services.staff import order_cancel, order_mark_resolved, order_resume, order_retry
from partnercenter.models import PartnerCenterCall
from tenants.names import company_names_match

NUMBER_PREFIX = "ORD-"
CALLS_SHOWN = 200
# A Django date format, translated: the English one must not read as month/day.
CALL_TIME_FORMAT = _("d/m/Y H:i:s")
# «Riprendi» on an order that did not resume: what happened instead (RESUMED is "done").
RESUME_NOTES = {
    RelationshipOutcome.WAITING: _(
        "il cliente non ha ancora accettato la relazione di rivenditore: l'ordine resta in attesa."
    ),
    RelationshipOutcome.EXPIRED: _(
        "l'attesa della relazione di rivenditore è scaduta: l'ordine non è riuscito."
    ),
    RelationshipOutcome.UNAVAILABLE: _(
        "Partner Center non ha risposto: la relazione sarà verificata di nuovo più tardi."
    ),
    RelationshipOutcome.FAILED: _(
        "Partner Center ha rifiutato la verifica della relazione: l'ordine non è riuscito."
    ),
    RelationshipOutcome.SKIPPED: _(
        "l'ordine è già in lavorazione o è cambiato nel frattempo: niente da riprendere ora."
    ),
}


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class OrderLineInline(ReadOnlyInline):
    model = OrderLine
    fk_name = "order"
    fields = (
        "position",
        "product_title",
        "sku_title",
        "term",
        "billing",
        "quantity",
        "unit_price",
        "estimated_usage",
        "partner_center_order_id",
        "partner_center_subscription_id",
        "subscription_status",
        "subscription_started_at",
    )
    readonly_fields = fields
    ordering = ("position",)


class OrderEventInline(ReadOnlyInline):
    model = OrderEvent
    fields = ("created_at", "type", "from_status", "to_status", "actor", "actor_user", "text")
    readonly_fields = fields
    ordering = ("created_at", "pk")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor_user", "order")

    @admin.display(description=_("messaggio"))
    def text(self, event: OrderEvent) -> str:
        return event_staff_text(event)


class EmailInline(ReadOnlyInline):
    model = Email
    fields = ("kind", "key", "recipients", "status", "attempts", "sent_at", "last_error")
    readonly_fields = fields


class ViewOnlyAdmin(admin.ModelAdmin):
    """Rows staff may look at but never add, save or delete from the admin's forms.

    Without change permission Django shows the change form without its save buttons and refuses
    a POST to it (403); view permission (or the change permission of the model) still opens it.
    """

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change) -> None:
        raise PermissionDenied  # never reached while has_change_permission says no; never save


@admin.register(Order)
class OrderAdmin(ViewOnlyAdmin):
    list_display = (
        "number",
        "created_at",
        "reseller",
        "customer",
        "tenant_domain",
        "status",
        "failure_reason",
        "is_company_name_different",
        "updated_at",
    )
    list_filter = (
        "status",
        "failure_reason",
        "is_new_tenant",
        ("created_at", admin.DateFieldListFilter),
        ("reseller", admin.RelatedOnlyFieldListFilter),
    )
    list_select_related = ("reseller", "customer")
    search_fields = (
        "tenant_domain",
        "mpn_id",
        "customer__company_name",
        "reseller__company_name",
        "user__email",
        "partner_center_customer_id",
        "partner_center_cart_id",
    )
    date_hierarchy = "created_at"
    ordering = ("-created_at",)
    inlines = (OrderLineInline, OrderEventInline, EmailInline)
    actions = ("retry_orders", "resume_orders", "cancel_orders", "mark_orders_resolved")
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "number",
                    "status",
                    "reseller",
                    "user",
                    "customer",
                    "company_name_check",
                    "tenant_domain",
                    "is_new_tenant",
                    "mpn_id",
                    "purchase_type",
                    "created_at",
                    "completed_at",
                )
            },
        ),
        (_("Errore"), {"fields": ("failure_reason", "failure_code", "failure_detail")}),
        (
            _("Partner Center"),
            {
                "fields": (
                    "reseller_tenant_id",
                    "mpn_validated_at",
                    "partner_center_customer_id",
                    "customer_request_id",
                    "admin_user_name",
                    "has_admin_password",
                    "agreement_accepted_at",
                    "agreement_request_id",
                    "partner_center_cart_id",
                    "cart_request_id",
                    "cart_submit_request_id",
                    "cart_submitted_at",
                    "activated_at",
                    "attention_due_at",
                    "transient_failures",
                    "awaiting_relationship_since",
                    "awaiting_relationship_until",
                )
            },
        ),
        (
            _("Totali"),
            {
                "fields": (
                    "monthly_net",
                    "monthly_vat",
                    "annual_net",
                    "annual_vat",
                    "estimated_usage_total",
                )
            },
        ),
        (_("Chiamate a Partner Center"), {"fields": ("partner_center_calls",)}),
    )

    def get_readonly_fields(self, request, obj=None):
        return [field for fieldset in self.fieldsets for field in fieldset[1]["fields"]]

    def get_queryset(self, request) -> QuerySet[Order]:
        return super().get_queryset(request).select_related("reseller", "customer", "user")

    def has_operate_permission(self, request) -> bool:
        """The actions change orders (through the services): staff with the change permission
        of orders, which the read-only form itself does not use."""
        return request.user.has_perm(f"{self.opts.app_label}.change_{self.opts.model_name}")

    def get_search_results(self, request, queryset, search_term):
        """«ORD-000042» (or 42) finds that order, besides the text fields, within the filters."""
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        number = search_term.strip().upper().removeprefix(NUMBER_PREFIX)
        # isdecimal, not isdigit: "²" is a digit that int() refuses.
        if number.isdecimal():
            results |= queryset.filter(pk=int(number))
        return results, may_have_duplicates

    @admin.display(description=_("numero"), ordering="pk")
    def number(self, order: Order) -> str:
        return order.number

    @admin.display(description=_("nome azienda diverso da Partner Center"), boolean=True)
    def is_company_name_different(self, order: Order) -> bool | None:
        legal_name = order.customer.partner_center_company_name
        if not legal_name:
            return None  # a new tenant, or Partner Center told no name: nothing to compare
        return not company_names_match(order.customer.company_name, legal_name)

    @admin.display(description=_("nome azienda e ragione sociale in Partner Center"))
    def company_name_check(self, order: Order) -> str:
        typed, legal_name = order.customer.company_name, order.customer.partner_center_company_name
        if not legal_name:
            return "—"
        if company_names_match(typed, legal_name):
            return format_html("{} ({})", legal_name, _("uguali"))
        return format_html(
            '<strong class="errornote">{}</strong>',
            _(
                "DIVERSI: il rivenditore ha indicato «%(typed)s», il tenant in Partner Center è "
                "«%(legal)s». Verificare con il rivenditore la ragione sociale esatta."
            )
            % {"typed": typed, "legal": legal_name},
        )

    @admin.display(description=_("password del tenant in attesa dell'e-mail 1"), boolean=True)
    def has_admin_password(self, order: Order) -> bool:
        return bool(order.admin_password_encrypted)

    @admin.display(description=_("chiamate"))
    def partner_center_calls(self, order: Order) -> str:
        calls = PartnerCenterCall.objects.filter(order_id=order.pk).order_by("created_at", "pk")
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{} {}</td><td>{}</td><td>{}</td><td>{}</td>"
            "<td>{} ms</td></tr>",
            (
                (
                    # Europe/Rome like every other time staff read, not the stored UTC.
                    date_format(timezone.localtime(call.created_at), str(CALL_TIME_FORMAT)),
                    call.operation,
                    call.method,
                    call.path,
                    call.status or "—",
                    call.error_code or call.error_class or "",
                    call.ms_request_id,
                    call.duration_ms,
                )
                for call in calls[:CALLS_SHOWN]
            ),
        )
        return format_html(
            "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th>"
            "<th>MS-RequestId</th><th>{}</th></tr></thead><tbody>{}</tbody></table>",
            _("quando"),
            _("operazione"),
            _("richiesta"),
            _("stato HTTP"),
            _("errore"),
            _("durata"),
            rows,
        )

    def _run(self, request, queryset, action, done_message: str) -> None:
        """Run ``action`` on each order; ``done_message`` has ``%(orders)s`` for those done.

        A refusal names the order and says, in the user's language, what state it is in and
        which orders the action is for (orders/services/staff.py).
        """
        done, refused = [], []
        for order in queryset.order_by("pk"):
            try:
                outcome = action(order=order, user=request.user)
            except OrderError as exc:
                refused.append(f"{order.number}: {exc.message}")
                continue
            note = RESUME_NOTES.get(outcome) if isinstance(outcome, RelationshipOutcome) else None
            if note is None:
                done.append(order.number)
            else:
                self.message_user(request, f"{order.number}: {note}", messages.WARNING)
        if done:
            self.message_user(request, done_message % {"orders": ", ".join(done)}, messages.SUCCESS)
        for message in refused:
            self.message_user(request, message, messages.ERROR)

    @admin.action(description=_("Riprova gli ordini non riusciti"), permissions=["operate"])
    def retry_orders(self, request, queryset):
        self._run(
            request,
            queryset,
            lambda order, user: order_retry(order_id=order.pk, user=user),
            gettext("Nuovo tentativo avviato: %(orders)s."),
        )

    @admin.action(
        description=_("Riprendi (verifica la relazione o riaccoda)"), permissions=["operate"]
    )
    def resume_orders(self, request, queryset):
        self._run(
            request,
            queryset,
            lambda order, user: order_resume(order_id=order.pk, user=user),
            gettext("Ripresi: %(orders)s."),
        )

    @admin.action(description=_("Annulla gli ordini"), permissions=["operate"])
    def cancel_orders(self, request, queryset):
        self._run(
            request,
            queryset,
            lambda order, user: order_cancel(order_id=order.pk, user=user),
            gettext("Annullati: %(orders)s."),
        )

    @admin.action(description=_("Segna come risolti"), permissions=["operate"])
    def mark_orders_resolved(self, request, queryset):
        self._run(
            request,
            queryset,
            lambda order, user: order_mark_resolved(order_id=order.pk, user=user),
            gettext("Segnati come risolti: %(orders)s."),
        )


@admin.register(OrderLine)
class SubscriptionAdmin(ViewOnlyAdmin):
    """The order lines as the subscriptions they became."""

    list_display = (
        "order",
        "product_title",
        "sku_title",
        "term",
        "billing",
        "quantity",
        "partner_center_subscription_id",
        "subscription_status",
        "subscription_started_at",
    )
    list_filter = ("subscription_status", "term", "billing")
    list_select_related = ("order",)
    search_fields = ("partner_center_subscription_id", "partner_center_order_id", "sku_title")

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]
