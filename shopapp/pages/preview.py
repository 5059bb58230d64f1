"""Preview before pushing: a dry run of the waiting orders, summary first, then every order."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from integrations.orders.selectors_pages import record_ids_by_order_id
from integrations.orders.services.pages import preview_waiting
from shopapp.embedded import embedded_view
from shopapp.pages.common import shop_health

OUTCOME_ORDER = {"invalid": 0, "needs_attention": 1, "PENDING": 2, "PARTIALLY_PAID": 3, "PAID": 4}


@embedded_view
@require_GET
def preview(request: HttpRequest) -> HttpResponse:
    shop = request.shop
    result = preview_waiting(shop=shop)
    lines = sorted(result.summary.lines, key=lambda line: OUTCOME_ORDER.get(line.outcome, 9))
    counts = result.summary.counts
    ids = record_ids_by_order_id(shop_id=shop.id, order_ids=[line.order_id for line in lines])
    context = {
        "page_title": "Preview",
        "nav": "preview",
        "result": result,
        "rows": [(line, ids.get(line.order_id)) for line in lines],
        "paid": counts.get("PAID", 0),
        "partially_paid": counts.get("PARTIALLY_PAID", 0) + counts.get("PENDING", 0),
        "attention": counts.get("needs_attention", 0) + counts.get("invalid", 0),
        "reasons": result.summary.reasons.most_common(8),
        "include_transaction_data": shop.include_transaction_data,
        "health": shop_health(shop),
        "currency": shop.currency,
        "notice": request.GET.get("notice", ""),
    }
    return render(request, "shopapp/pages/preview.html", context)
