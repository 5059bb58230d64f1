"""The Success reps' console. Django session login, staff accounts only; a merchant's id token
is never looked at here (no ``embedded_view``), and the pages refuse to be framed."""

import json
from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import user_passes_test
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from integrations.orders.selectors import financial_status_counts, state_counts
from integrations.orders.selectors.connections import connections_of
from integrations.orders.selectors.orders import order_detail
from integrations.orders.selectors.shipments import outbox_of
from integrations.orders.selectors.waves import releases_of, wave_rows
from integrations.shops.models import Shop
from shopapp.pages.shipments import pause_words
from shopapp.params import int_param
from shopapp.selectors import open_transaction_data_requests
from shopapp.staff import selectors, services
from shopapp.staff.customer_data import customer_data
from shopapp.staff.forms import PauseForm, StaffAuthenticationForm, TransactionDataForm
from shopapp.staff.second_factor import needs_second_factor


def _staff_with_second_factor(user) -> bool:
    """An active staff account whose session has its second factor where it needs one."""
    if not (user.is_active and user.is_staff):
        return False
    return not needs_second_factor(user) or user.is_verified()


_staff_user = user_passes_test(_staff_with_second_factor, login_url="staff:login")


def _not_framed(response: HttpResponse) -> HttpResponse:
    response["Content-Security-Policy"] = "frame-ancestors 'none';"
    response["X-Frame-Options"] = "DENY"
    response["Cache-Control"] = "no-store"
    return response


def staff_only(view: Callable) -> Callable:
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        return _not_framed(_staff_user(view)(request, *args, **kwargs))

    return wrapper


class StaffLoginView(auth_views.LoginView):
    template_name = "shopapp/staff/login.html"
    authentication_form = StaffAuthenticationForm
    # Not True: a rep whose session lacks the second factor must be able to log in again here.
    redirect_authenticated_user = False

    def dispatch(self, request, *args, **kwargs):
        return _not_framed(super().dispatch(request, *args, **kwargs))

    def get_default_redirect_url(self):
        return "/staff/"


class StaffLogoutView(auth_views.LogoutView):
    next_page = "staff:login"


class StaffPasswordChangeView(auth_views.PasswordChangeView):
    template_name = "shopapp/staff/password.html"
    success_url = "/staff/"

    def form_valid(self, form):
        messages.success(self.request, "Password changed.")
        return super().form_valid(form)


@staff_only
def stores(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:255]
    page = int_param(request.GET.get("page"))
    rows, window = selectors.store_rows(query=query, page=page)
    return render(
        request,
        "shopapp/staff/stores.html",
        {"rows": rows, "query": query, "total": window.total, "page": window.number, "pages": window.pages},
    )


def _store_context(shop: Shop, **forms) -> dict:
    counts = state_counts(shop_id=shop.id)
    return {
        "shop": shop,
        "token": selectors.token_state(shop),
        "counts": counts,
        "attention": counts["failed"] + counts["needs_attention"],
        "financial": financial_status_counts(shop_id=shop.id),
        "connections": connections_of(shop_id=shop.id),
        "problems": selectors.recent_problems(shop_id=shop.id),
        "outbox": (outbox := outbox_of(shop_id=shop.id)),
        "outbox_pauses": [pause_words(pause) for pause in outbox.pauses],
        "audit": selectors.audit_log(shop_id=shop.id),
        "transaction_requests": open_transaction_data_requests(shop_id=shop.id),
        "waves": wave_rows(shop_id=shop.id),
        "wave_releases": releases_of(shop_id=shop.id),
        "transaction_form": forms.get("transaction_form")
        or TransactionDataForm(initial={"enabled": "on" if shop.include_transaction_data else "off"}),
        "pause_form": forms.get("pause_form")
        or PauseForm(initial={"paused": "resume" if shop.pushes_paused else "pause"}),
    }


def _render_store(request: HttpRequest, shop: Shop, *, status: int = 200, **forms) -> HttpResponse:
    return render(request, "shopapp/staff/store.html", _store_context(shop, **forms), status=status)


@staff_only
def store(request: HttpRequest, shop_id: int) -> HttpResponse:
    shop = _store(shop_id)
    return _render_store(request, shop)


@staff_only
@require_POST
def set_transaction_data(request: HttpRequest, shop_id: int) -> HttpResponse:
    shop = _store(shop_id)
    form = TransactionDataForm(request.POST)
    if not form.is_valid():
        return _render_store(request, shop, status=400, transaction_form=form)
    change = services.set_transaction_data(
        shop_id=shop.id,
        enabled=form.cleaned_data["enabled"],
        reason=form.cleaned_data["reason"],
        by_email=_email(request),
        staff_user=request.user,
    )
    messages.success(request, f"Transaction data is {change.new_value} for {shop.domain}. Recorded in the audit log.")
    return redirect("staff:store", shop_id=shop.id)


@staff_only
@require_POST
def set_paused(request: HttpRequest, shop_id: int) -> HttpResponse:
    shop = _store(shop_id)
    form = PauseForm(request.POST)
    if not form.is_valid():
        return _render_store(request, shop, status=400, pause_form=form)
    paused = form.cleaned_data["paused"]
    services.set_pushes_paused(
        shop_id=shop.id,
        paused=paused,
        reason=form.cleaned_data["reason"],
        by_email=_email(request),
        staff_user=request.user,
    )
    messages.success(request, f"Pushes {'paused' if paused else 'resumed'} for {shop.domain}.")
    return redirect("staff:store", shop_id=shop.id)


@staff_only
@require_POST
def bulk_road_on(request: HttpRequest, shop_id: int) -> HttpResponse:
    """After Shopify refused the bulk road (reason shown above): a rep lets the shop try it again."""
    shop = _store(shop_id)
    services.bulk_road_on(shop_id=shop.id, by_email=_email(request))
    messages.success(request, f"Bulk operations will be tried again for {shop.domain}.")
    return redirect("staff:store", shop_id=shop.id)


@staff_only
@require_POST
def retry_failed(request: HttpRequest, shop_id: int) -> HttpResponse:
    shop = _store(shop_id)
    count = services.retry_failed(shop_id=shop.id, by_email=_email(request))
    if count:
        messages.success(request, f"{count} order{'s' if count != 1 else ''} queued again for {shop.domain}.")
    else:
        messages.info(
            request, "Nothing to retry: no failed order can be retried (invalid orders need a fix in BackerKit)."
        )
    return redirect("staff:store", shop_id=shop.id)


@staff_only
@require_POST
def resend_shipment(request: HttpRequest, shop_id: int, event_id: int) -> HttpResponse:
    shop = _store(shop_id)
    try:
        event = services.resend_shipment(shop_id=shop.id, event_id=event_id, by_email=_email(request))
    except LookupError:
        raise Http404("No such shipment for this store.") from None
    messages.success(request, f"The {event.get_kind_display().lower()} of order {event.record.backerkit_order_id} "
                              "is being sent to BackerKit again.")  # fmt: skip
    return redirect("staff:store", shop_id=shop.id)


@staff_only
def order(request: HttpRequest, shop_id: int, record_id: int) -> HttpResponse:
    """An order as the merchant sees it; the customer's personal data only on request, logged."""
    record = order_detail(shop_id=shop_id, record_id=record_id)
    if record is None:
        raise Http404("No such order for this store.")
    reveal = request.method == "POST" and request.POST.get("reveal") == "customer"
    if reveal:
        services.log_personal_data_access(staff_user=request.user, record=record, what="order_data,sent_input")
    return render(
        request,
        "shopapp/staff/order.html",
        {
            "shop": record.shop,
            "record": record,
            "attempts": list(record.push_attempts.all()),
            "reveal": reveal,
            "customer": customer_data(record.order_data) if reveal else None,
            "sent_json": json.dumps(record.sent_input, indent=2, sort_keys=True)
            if reveal and record.sent_input
            else "",
        },
    )


def _store(shop_id: int) -> Shop:
    shop = selectors.store(shop_id=shop_id)
    if shop is None:
        raise Http404("No such store.")
    return shop


def _email(request: HttpRequest) -> str:
    return request.user.email or request.user.get_username()
