"""The reseller's «Sottoscrizioni» pages: the list, a subscription, each change and «Aggiorna».

Pages read the mirror only; a change is a request the worker runs (services/changes.py), and
«Aggiorna» enqueues a refresh. Every page reaches subscriptions through reseller_scoped /
get_scoped_or_404: another reseller's subscription is a 404, whatever the URL or method.
"""

from datetime import timedelta

from django.contrib import messages
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from storefront.rows import rows_with_detail_urls
from storefront.scoping import get_scoped_or_404, reseller_scoped
from subscriptions.errors import ChangeRefused
from subscriptions.forms import (
    AutoRenewForm,
    CancelForm,
    ConfirmForm,
    ListFilterForm,
    PlanRenewalForm,
    ReminderPreferencesForm,
    RemovePlanForm,
    SeatsForm,
    UpgradeForm,
)
from subscriptions.models import ChangeRequest, ReminderOptOut, Subscription
from subscriptions.renewal_selectors import next_term_view, plan_options, upcoming_renewals
from subscriptions.selectors import (
    ListFilters,
    change_preview,
    open_change,
    refund_buckets,
    removable_seats,
    subscription_actions,
    subscription_filter_choices,
    subscription_with_history,
    subscriptions_with_open_change,
)
from subscriptions.selectors import (
    subscription_list as select_subscriptions,
)
from subscriptions.services.changes import change_request_create
from subscriptions.services.reminders import reminder_preferences_set
from subscriptions.services.upgrades import upgrade_request_create, upgrade_targets

PER_PAGE = 25
REFRESH_AT_MOST_EVERY = timedelta(seconds=60)
Kind = ChangeRequest.Kind


@require_GET
def subscription_list(request: HttpRequest) -> HttpResponse:
    form = ListFilterForm(request.GET)
    data = form.cleaned_data if form.is_valid() else {}
    filters = ListFilters(
        customer=data.get("cliente"),
        product=data.get("prodotto", ""),
        status=data.get("stato", ""),
        window_open=bool(data.get("finestra")),
        renewal_soon=bool(data.get("rinnovo")),
        auto_renew_off=bool(data.get("senza_rinnovo")),
        query=data.get("q", ""),
    )
    owned = reseller_scoped(Subscription, request)
    page = Paginator(select_subscriptions(subscriptions=owned, filters=filters), PER_PAGE).get_page(
        data.get("pagina")
    )
    rows = rows_with_detail_urls(page.object_list, "subscriptions:subscription_detail")
    changing = subscriptions_with_open_change(subscription_ids=[row.pk for row in rows])
    for row in rows:
        row.has_open_change = row.pk in changing
    query = request.GET.copy()
    query.pop("pagina", None)
    return render(
        request,
        "subscriptions/subscription_list.html",
        {
            "form": form,
            "filters": filters,
            "page": page,
            "rows": rows,
            "query": query.urlencode(),
            "choices": subscription_filter_choices(subscriptions=owned),
            "now": timezone.now(),
        },
    )


@require_GET
def subscription_detail(request: HttpRequest, pk: int) -> HttpResponse:
    subscription = _subscription(request, pk)
    return render(request, "subscriptions/subscription_detail.html", _detail_context(subscription))


def _subscription(request: HttpRequest, pk: int) -> Subscription:
    return get_scoped_or_404(
        subscription_with_history(subscriptions=Subscription.objects.all()), request, pk=pk
    )


def _detail_context(subscription: Subscription) -> dict:
    pending = open_change(subscription)
    return {
        "subscription": subscription,
        "buckets": refund_buckets(subscription),
        "removable": removable_seats(subscription),
        "actions": subscription_actions(
            subscription=subscription, has_open_change=pending is not None
        ),
        "open_change": pending,
        "addons": list(subscription.addons.all()),
        "timeline": list(subscription.events.all()),
        "change_requests": list(subscription.change_requests.all()),
        "now": timezone.now(),
        "next_term": next_term_view(
            subscription=subscription, next_term=subscription.scheduled_next_term
        ),
        "renewal_plan": _renewal_plan(subscription),
    }


def _renewal_plan(subscription: Subscription):
    try:
        return subscription.renewal_plan
    except Subscription.renewal_plan.RelatedObjectDoesNotExist:
        return None


CHANGE_PAGES = {
    Kind.ADD_SEATS: "subscriptions/change_seats.html",
    Kind.REMOVE_SEATS: "subscriptions/change_seats.html",
    Kind.CANCEL: "subscriptions/change_cancel.html",
    Kind.AUTO_RENEW: "subscriptions/change_auto_renew.html",
    Kind.PLAN_RENEWAL: "subscriptions/change_plan_renewal.html",
    Kind.REMOVE_PLAN: "subscriptions/change_remove_plan.html",
    Kind.SUSPEND: "subscriptions/change_status.html",
    Kind.REACTIVATE: "subscriptions/change_status.html",
}


@require_http_methods(["GET", "POST"])
def subscription_change(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """One change: GET shows its form, POST ``action=preview`` its cost, ``action=confirm``
    requests it. A change not allowed now shows why instead of its form."""
    subscription = _subscription(request, pk)
    context = _detail_context(subscription)
    action = context["actions"][kind]
    form = _change_form(
        kind, subscription, context, request.POST if request.method == "POST" else None
    )
    wants_confirm = request.POST.get("action") == "confirm"
    # The service decides, not the button shown: a second submit of the same form finds its
    # request even though that request now blocks new ones; a forged POST meets the same rules.
    if request.method == "POST" and wants_confirm and form.is_valid():
        try:
            change_request_create(
                subscription=subscription,
                user=request.user,
                kind=kind,
                idempotency_key=form.cleaned_data["idempotency_key"],
                seats=form.cleaned_data.get("seats"),
                auto_renew_enabled=form.cleaned_data.get("enabled"),
                confirm_name=form.cleaned_data.get("confirm_name", ""),
                next_term=form.cleaned_data.get("next_term"),
            )
        except ChangeRefused as refusal:
            form.add_error(None, refusal.message)
        else:
            messages.success(
                request,
                _("Richiesta inviata: la vedrai completata in questa pagina e ti scriveremo."),
            )
            return redirect("subscriptions:subscription_detail", pk=subscription.pk)
    context.update(
        kind=kind,
        action=action,
        form=form,
        preview=_preview(kind, subscription, form),
        preview_seats=form.cleaned_data.get("seats", 1) if form.is_bound and form.is_valid() else 1,
        kind_label=Kind(kind).label,
    )
    return render(request, CHANGE_PAGES[kind], context)


def _change_form(kind: str, subscription: Subscription, context: dict, data):
    if kind == Kind.ADD_SEATS:
        return SeatsForm(data, max_seats=10_000)
    if kind == Kind.REMOVE_SEATS:
        return SeatsForm(
            data, max_seats=max(1, min(context["removable"], subscription.quantity - 1))
        )
    if kind == Kind.CANCEL:
        return CancelForm(data)
    if kind == Kind.PLAN_RENEWAL:
        return _plan_form(subscription, context, data)
    if kind == Kind.REMOVE_PLAN:
        return RemovePlanForm(data)
    if kind in (Kind.SUSPEND, Kind.REACTIVATE):
        return ConfirmForm(data)
    return AutoRenewForm(
        data, initial={"enabled": "off" if subscription.auto_renew_enabled else "on"}
    )


def _plan_form(subscription: Subscription, context: dict, data) -> PlanRenewalForm:
    """Starts from the plan Partner Center holds, else from the subscription as it is."""
    options = plan_options(subscription=subscription)
    context["plan_options"] = options
    held = subscription.scheduled_next_term or {
        "product_id": subscription.product_id,
        "sku_id": subscription.sku_id,
        "term": subscription.term,
        "billing": subscription.billing,
        "quantity": subscription.quantity,
    }
    initial = next(
        (
            option.plan_id
            for option in options
            if (option.product_id, option.sku_id, option.term, option.billing)
            == (held["product_id"], held["sku_id"], held["term"], held["billing"].lower())
        ),
        None,
    )
    return PlanRenewalForm(
        data, options=options, initial={"quantity": held["quantity"], "target": initial}
    )


def _preview(kind: str, subscription: Subscription, form):
    if kind == Kind.CANCEL:
        return change_preview(
            subscription=subscription, seats=subscription.quantity, is_addition=False
        )
    if kind == Kind.PLAN_RENEWAL:
        next_term = (
            form.cleaned_data.get("next_term") if form.is_bound and form.is_valid() else None
        )
        return next_term_view(subscription=subscription, next_term=next_term)
    if kind not in (Kind.ADD_SEATS, Kind.REMOVE_SEATS):
        return None
    seats = form.cleaned_data.get("seats") if form.is_bound and form.is_valid() else 1
    return change_preview(
        subscription=subscription, seats=seats, is_addition=kind == Kind.ADD_SEATS
    )


@require_POST
def subscription_refresh(request: HttpRequest, pk: int) -> HttpResponse:
    """«Aggiorna»: a worker reads the subscription from Partner Center; never inside a request."""
    subscription = get_scoped_or_404(Subscription, request, pk=pk)
    is_fresh = subscription.synced_at > timezone.now() - REFRESH_AT_MOST_EVERY
    # One refresh a minute per subscription, whoever clicks: each costs a Partner Center call.
    is_claimed = cache.add(
        f"subscription-refresh-{subscription.pk}", 1, REFRESH_AT_MOST_EVERY.total_seconds()
    )
    if is_fresh or not is_claimed:
        messages.info(request, _("Dati appena aggiornati: riprova tra un minuto."))
    else:
        from subscriptions.tasks import subscription_refresh_task

        transaction.on_commit(lambda: subscription_refresh_task.delay(subscription.pk), robust=True)
        messages.success(request, _("Aggiornamento richiesto: ricarica la pagina tra poco."))
    return redirect("subscriptions:subscription_detail", pk=subscription.pk)


@require_GET
def renewal_list(request: HttpRequest) -> HttpResponse:
    """«Rinnovi»: the next 60 days of renewals and expiries, with the plan of each."""
    renewals = upcoming_renewals(subscriptions=reseller_scoped(Subscription, request))
    page = Paginator(renewals, PER_PAGE).get_page(request.GET.get("pagina"))
    return render(
        request, "subscriptions/renewal_list.html", {"page": page, "rows": list(page.object_list)}
    )


@require_http_methods(["GET", "POST"])
def reminder_preferences(request: HttpRequest) -> HttpResponse:
    """The user's reminder switches (linked from the profile)."""
    turned_off = set(
        ReminderOptOut.objects.filter(user=request.user).values_list("kind", flat=True)
    )
    form = ReminderPreferencesForm(
        request.POST if request.method == "POST" else None, turned_off=turned_off
    )
    if request.method == "POST" and form.is_valid():
        reminder_preferences_set(user=request.user, turned_off=form.turned_off)
        messages.success(request, _("Preferenze dei promemoria salvate."))
        return redirect("subscriptions:reminder_preferences")
    return render(request, "subscriptions/reminder_preferences.html", {"form": form})


UPGRADE_TARGETS_FRESH_FOR = timedelta(minutes=10)


@require_http_methods(["GET", "POST"])
def subscription_upgrade(request: HttpRequest, pk: int) -> HttpResponse:
    """«Passa a un prodotto superiore»: the targets Partner Center offered (read by a worker,
    asked again when stale), the add-ons that block or stay, then the request."""
    subscription = _subscription(request, pk)
    context = _detail_context(subscription)
    targets = upgrade_targets(subscription)
    is_checking = _ask_upgrade_targets_if_stale(subscription)
    form = UpgradeForm(
        request.POST if request.method == "POST" else None,
        targets=targets,
        max_seats=subscription.quantity,
        initial={"seats": subscription.quantity},
    )
    if request.method == "POST" and request.POST.get("action") == "confirm" and form.is_valid():
        try:
            upgrade_request_create(
                subscription=subscription,
                user=request.user,
                idempotency_key=form.cleaned_data["idempotency_key"],
                target_offer_id=form.cleaned_data["target"],
                seats=form.cleaned_data["seats"],
                to_subscription_id=form.cleaned_data.get("destination") or "",
            )
        except ChangeRefused as refusal:
            form.add_error(None, refusal.message)
        else:
            messages.success(
                request,
                _("Richiesta inviata: la vedrai completata in questa pagina e ti scriveremo."),
            )
            return redirect("subscriptions:subscription_detail", pk=subscription.pk)
    context.update(
        kind=Kind.UPGRADE,
        action=context["actions"][Kind.UPGRADE],
        form=form,
        targets=targets,
        eligible_targets=[target for target in targets if target.is_eligible],
        is_checking=is_checking,
        kind_label=Kind.UPGRADE.label,
    )
    return render(request, "subscriptions/change_upgrade.html", context)


def _ask_upgrade_targets_if_stale(subscription: Subscription) -> bool:
    """Enqueue a read of the eligibilities when the stored ones are missing or old (one at a
    time per subscription); True while the page has none to show yet."""
    checked_at = subscription.upgrade_targets_checked_at
    if checked_at is not None and checked_at > timezone.now() - UPGRADE_TARGETS_FRESH_FOR:
        return False
    if cache.add(f"subscription-upgrade-targets-{subscription.pk}", 1, 60):
        from subscriptions.tasks import subscription_upgrade_targets_task

        transaction.on_commit(
            lambda: subscription_upgrade_targets_task.delay(subscription.pk), robust=True
        )
    return checked_at is None
