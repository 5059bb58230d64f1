"""Orders: counts by state, the push's progress with an ETA, the filterable list, one order's
detail, retry and push. Thin: selectors read, services write."""

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from integrations.orders.selectors import state_counts
from integrations.orders.selectors_pages import (
    FINANCIAL_STATUSES,
    OrderFilters,
    order_detail,
    order_page,
    push_progress,
)
from integrations.orders.services.pages import PushNotPossible, retry, start_push
from shopapp.embedded import embedded_view
from shopapp.pages.common import redirect_to, shop_health, token_authenticated_form
from shopapp.pages.forms import RetryForm
from shopapp.pages.sent_input import summarize

STATE_FILTERS = [
    ("", "All"),
    ("pushed", "Pushed"),
    ("needs_attention", "Needs attention"),
    ("failed", "Failed"),
    ("pending", "Waiting"),
    ("pushing", "Pushing"),
    ("paused", "Paused"),
]


def _int(value: str | None, default: int = 1) -> int:
    try:
        return int(value or default)
    except ValueError:
        return default


@embedded_view
@require_GET
def orders(request: HttpRequest) -> HttpResponse:
    shop = request.shop
    filters = OrderFilters.clean(
        state=request.GET.get("state", ""),
        financial_status=request.GET.get("financial_status", ""),
        query=request.GET.get("q", ""),
    )
    counts = state_counts(shop_id=shop.id)
    context = {
        "page_title": "Orders",
        "nav": "orders",
        "counts": counts,
        "progress": push_progress(shop_id=shop.id, counts=counts),
        "page": order_page(shop_id=shop.id, filters=filters, page=_int(request.GET.get("page")), counts=counts),
        "filters": filters,
        "state_filters": STATE_FILTERS,
        "financial_filters": [("", "Any payment status"), *FINANCIAL_STATUSES.items()],
        "retryable": counts["failed"] + counts["needs_attention"],
        "waiting": counts["pending"] + counts["paused"],
        "health": shop_health(shop),
        "notice": request.GET.get("notice", ""),
        "error": request.GET.get("error", ""),
    }
    return render(request, "shopapp/pages/orders.html", context)


@embedded_view
@require_GET
def order(request: HttpRequest, record_id: int) -> HttpResponse:
    record = order_detail(shop_id=request.shop.id, record_id=record_id)
    if record is None:
        raise Http404("No such order in this store.")
    context = {
        "page_title": f"Order {record.backerkit_order_id}",
        "nav": "orders",
        "record": record,
        "attempts": list(record.push_attempts.all()),
        "sent": summarize(record.sent_input, record.order_data),
        "health": shop_health(request.shop),
        "notice": request.GET.get("notice", ""),
        "error": request.GET.get("error", ""),
    }
    return render(request, "shopapp/pages/order.html", context)


@embedded_view
@require_GET
def progress(request: HttpRequest) -> JsonResponse:
    """Polled by static/shopapp/progress.js while a push runs."""
    counts = state_counts(shop_id=request.shop.id)
    data = push_progress(shop_id=request.shop.id, counts=counts).as_json()
    data["counts"] = counts
    return JsonResponse(data, headers={"Cache-Control": "no-store"})


@token_authenticated_form
@embedded_view
@require_POST
def retry_orders(request: HttpRequest) -> HttpResponse:
    form = RetryForm(request.POST)
    back = request.POST.get("back") == "order" and form.is_valid() and form.cleaned_data["record"]
    if not form.is_valid() or not (form.cleaned_data["all"] or form.cleaned_data["record"]):
        return redirect_to(request, "pages:orders", error="Choose an order to retry.")
    record_ids = None if form.cleaned_data["all"] else [form.cleaned_data["record"]]
    target = ("pages:order", back) if back else ("pages:orders",)
    try:
        count = retry(shop_id=request.shop.id, record_ids=record_ids)
    except PushNotPossible as exc:
        return redirect_to(request, *target, error=exc.message)
    if count:
        notice = f"{count} order{'s' if count != 1 else ''} queued to push again"
    else:
        notice = "Nothing to retry"
    return redirect_to(request, *target, notice=notice)


@token_authenticated_form
@embedded_view
@require_POST
def push(request: HttpRequest) -> HttpResponse:
    try:
        queued = start_push(shop_id=request.shop.id)
    except PushNotPossible as exc:
        return redirect_to(request, "pages:orders", error=exc.message)
    notice = f"Pushing {queued} order{'s' if queued != 1 else ''}" if queued else "No order is waiting"
    return redirect_to(request, "pages:orders", notice=notice)


__all__ = ["order", "orders", "progress", "push", "retry_orders"]
