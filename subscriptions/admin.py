"""Staff's view of the mirror, of change requests (with «Riprova» and «Annulla») and of the
subscriptions found in Partner Center that were never sold here.

Read-only forms: what staff may change goes through the actions, which call the same services
as the worker (subscriptions/services/staff.py) and record who acted.
"""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from subscriptions.errors import ChangeTransitionError
from subscriptions.event_messages import event_staff_text
from subscriptions.models import (
    ChangeRequest,
    ChangeRequestEvent,
    Reminder,
    RenewalPlan,
    Subscription,
    SubscriptionEvent,
    UnsoldSubscription,
)
from subscriptions.services.staff import change_request_cancel, change_request_retry


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class ViewOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class SubscriptionEventInline(ReadOnlyInline):
    model = SubscriptionEvent
    fields = ("created_at", "kind", "summary", "change_request")
    readonly_fields = fields


class ChangeRequestEventInline(ReadOnlyInline):
    model = ChangeRequestEvent
    fields = ("created_at", "type", "from_status", "to_status", "actor", "actor_user", "text")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor_user", "change_request")

    @admin.display(description=_("messaggio"))
    def text(self, event: ChangeRequestEvent) -> str:
        return event_staff_text(event)


@admin.register(Subscription)
class SubscriptionAdmin(ViewOnlyAdmin):
    list_display = (
        "title",
        "customer",
        "reseller",
        "quantity",
        "status",
        "auto_renew_enabled",
        "commitment_end",
        "cancellation_allowed_until",
        "synced_at",
        "vanished_at",
    )
    list_filter = ("status", "auto_renew_enabled", "term", "reseller")
    search_fields = ("partner_center_id", "title", "customer__company_name")
    list_select_related = ("customer", "reseller")
    inlines = (SubscriptionEventInline,)


@admin.register(ChangeRequest)
class ChangeRequestAdmin(ViewOnlyAdmin):
    list_display = (
        "pk",
        "subscription",
        "kind",
        "seats",
        "status",
        "failure_code",
        "user",
        "created_at",
        "completed_at",
    )
    list_filter = ("status", "kind", "failure_code")
    search_fields = (
        "subscription__partner_center_id",
        "ms_request_id",
        "transition_operation_id",
        "user__email",
    )
    list_select_related = ("subscription", "user")
    inlines = (ChangeRequestEventInline,)
    actions = ("retry", "cancel")

    @admin.action(description=_("Riprova le richieste non riuscite"))
    def retry(self, request, queryset) -> None:
        self._each(request, queryset, change_request_retry, _("%(n)s richieste inviate di nuovo."))

    @admin.action(description=_("Annulla le richieste"))
    def cancel(self, request, queryset) -> None:
        self._each(request, queryset, change_request_cancel, _("%(n)s richieste annullate."))

    def _each(self, request, queryset, service, done_message) -> None:
        done = 0
        for change in queryset.order_by("pk"):
            try:
                service(change_request_id=change.pk, staff_user=request.user)
            except ChangeTransitionError:
                self.message_user(
                    request,
                    _("Richiesta %(pk)s: non possibile nello stato «%(status)s».")
                    % {"pk": change.pk, "status": change.get_status_display()},
                    messages.WARNING,
                )
            else:
                done += 1
        self.message_user(request, done_message % {"n": done}, messages.SUCCESS)


@admin.register(UnsoldSubscription)
class UnsoldSubscriptionAdmin(ViewOnlyAdmin):
    list_display = ("title", "customer", "quantity", "status", "partner_id", "last_seen_at")
    search_fields = ("partner_center_id", "title", "customer__company_name")
    list_select_related = ("customer",)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(RenewalPlan)
class RenewalPlanAdmin(ReadOnlyAdmin):
    """The plans resellers keep (set again by the worker when Partner Center drops them)."""

    list_display = ("subscription", "label", "user", "term_end", "updated_at")
    list_select_related = ("subscription", "user")
    search_fields = ("subscription__partner_center_id", "subscription__title")


@admin.register(Reminder)
class ReminderAdmin(ReadOnlyAdmin):
    """Every reminder sent, once per subscription, kind, event day and user."""

    list_display = ("subscription", "kind", "event_date", "user", "created_at")
    list_filter = ("kind",)
    list_select_related = ("subscription", "user")
    search_fields = ("subscription__partner_center_id", "user__email")
