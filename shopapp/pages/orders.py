"""Orders: counts by state, the push's progress with an ETA, the filterable list, one order's
detail, retry and push. Thin: selectors read, services write."""

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from integrations.orders.selectors import state_counts
from integrations.orders.selectors.changes import history
from integrations.orders.selectors.orders import (
    FINANCIAL_STATUSES,
    OrderFilters,
    order_detail,
    order_page,
    retryable_ids,
    states_of,
)
from integrations.orders.selectors.progress import PushProgress, push_progress
from integrations.orders.selectors.shipments import fulfilments_of, has_file_shipments, shipments_csv
from integrations.orders.selectors.waves import member_of
from integrations.orders.services.push_requests import PushNotPossible, retry, start_push
from shopapp.embedded import embedded_view
from shopapp.pages.backer_items import backer_items, what_to_do
from shopapp.pages.change_wording import conflict_rows, diff_rows, kinds_text
from shopapp.pages.common import (
    PROTECTED_DATA_REFUSED,
    redirect_to,
    refused_protected_customer_data,
    shop_health,
    token_authenticated_form,
)
from shopapp.pages.forms import RetryForm
from shopapp.pages.sent_input import summarize
from shopapp.pages.shipments import SHIPMENT_FILTERS, shown
from shopapp.pages.wording import FINANCIAL_LABELS, PUSH_REFUSALS, RETRY_REFUSALS, eta_text, retry_outcome, road_label
from shopapp.params import int_param

STATE_FILTERS = [
    ("", "All"),
    ("pushed", "Pushed"),
    ("needs_attention", "Needs attention"),
    ("failed", "Failed"),
    ("pending", "Waiting"),
    ("pushing", "Pushing"),
    ("paused", "Paused"),
]


def progress_json(progress: PushProgress) -> dict:
    return {
        "running": progress.running,
        "remaining": progress.remaining,
        "paused": progress.paused,
        "finished": progress.finished,
        "total": progress.total,
        "percent": progress.percent,
        "per_minute": round(progress.per_minute, 1),
        "eta_seconds": None if progress.eta_seconds is None else round(progress.eta_seconds),
        "eta_text": eta_text(progress.eta_seconds, running=progress.running),
    }


def _refusal(shop, exc: PushNotPossible, sentences: dict[str, str]) -> str:
    """Why a push or retry cannot go ahead; not "Reconnect" when reconnecting cannot help."""
    if exc.code == PushNotPossible.DISCONNECTED and refused_protected_customer_data(shop.disconnected_reason):
        return PROTECTED_DATA_REFUSED
    return sentences[exc.code]


@embedded_view
@require_GET
def orders(request: HttpRequest) -> HttpResponse:
    shop = request.shop
    filters = OrderFilters.clean(
        state=request.GET.get("state", ""),
        financial_status=request.GET.get("financial_status", ""),
        query=request.GET.get("q", ""),
        shipment=request.GET.get("shipment", ""),
        wave=request.GET.get("wave", ""),
    )
    counts = state_counts(shop_id=shop.id)
    progress = push_progress(shop_id=shop.id, counts=counts)
    page = int_param(request.GET.get("page"))
    context = {
        "page_title": "Orders",
        "nav": "orders",
        "counts": counts,
        "progress": progress,
        "eta": eta_text(progress.eta_seconds, running=progress.running),
        "page": order_page(shop_id=shop.id, filters=filters, page=page, counts=counts),
        "filters": filters,
        "state_filters": STATE_FILTERS,
        "financial_filters": [("", "Any payment status"), *((s, FINANCIAL_LABELS[s]) for s in FINANCIAL_STATUSES)],
        "shipment_filters": SHIPMENT_FILTERS,
        "has_file_shipments": has_file_shipments(shop_id=shop.id),
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
        "attempts": list(record.push_attempts.all()),  # prefetched by order_detail
        "sent": summarize(record.sent_input, record.order_data, record.variant_prices),
        "items": [] if record.sent_input else backer_items(record.order_data, last_error=record.last_error),
        "steps": what_to_do(record.last_error) if record.state == "needs_attention" else [],
        "fulfilments": shown(fulfilments_of(shop_id=request.shop.id, record_id=record.id)),
        "wave_member": member_of(record_id=record.id),
        "history": [
            {
                "entry": entry,
                "kinds": kinds_text(entry.change.kinds),
                "diff": diff_rows(entry.change),
                "conflict": conflict_rows(entry.change),
            }
            if entry.change
            else {"entry": entry}
            for entry in history(record=record)
        ],  # fmt: skip
        "road": road_label(record.road, record.bulk_operation.shopify_id if record.bulk_operation else ""),
        "health": shop_health(request.shop),
        "notice": request.GET.get("notice", ""),
        "error": request.GET.get("error", ""),
    }
    return render(request, "shopapp/pages/order.html", context)


@embedded_view
@require_GET
def shipments_file(request: HttpRequest) -> StreamingHttpResponse:
    """The shipments of the store's file-fed connections, as the CSV a creator uploads to BackerKit."""
    response = StreamingHttpResponse(shipments_csv(shop_id=request.shop.id), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="shipments.csv"'
    return response


@embedded_view
@require_GET
def progress(request: HttpRequest) -> JsonResponse:
    """Polled by static/shopapp/progress.js while a push runs."""
    counts = state_counts(shop_id=request.shop.id)
    data = progress_json(push_progress(shop_id=request.shop.id, counts=counts))
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
    asked = record_ids if record_ids is not None else retryable_ids(shop_id=request.shop.id)
    try:
        count = retry(shop_id=request.shop.id, record_ids=record_ids)
    except PushNotPossible as exc:
        return redirect_to(request, *target, error=_refusal(request.shop, exc, RETRY_REFUSALS))
    # In-process (the embedded default) the retry may already be over: say how it ended.
    notice, error = retry_outcome(count, states_of(shop_id=request.shop.id, record_ids=asked))
    return redirect_to(request, *target, **({"error": error} if error else {"notice": notice}))


@token_authenticated_form
@embedded_view
@require_POST
def push(request: HttpRequest) -> HttpResponse:
    try:
        queued = start_push(shop_id=request.shop.id)
    except PushNotPossible as exc:
        return redirect_to(request, "pages:orders", error=_refusal(request.shop, exc, PUSH_REFUSALS))
    notice = f"Pushing {queued} order{'s' if queued != 1 else ''}" if queued else "No order is waiting"
    return redirect_to(request, "pages:orders", notice=notice)


__all__ = ["order", "orders", "progress", "push", "retry_orders"]
