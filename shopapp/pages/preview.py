"""Preview before pushing: a dry run of the waiting orders already pulled, a page at a time
(summary of the page first, then every order of it), and the pull still bringing orders in."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from integrations.orders.selectors.changes import open_changes, pending_changes
from integrations.orders.selectors.connections import connections_of
from integrations.orders.selectors.preview import record_ids_by_order_id
from integrations.orders.services.preview import preview_waiting
from shopapp.embedded import embedded_view
from shopapp.pages.change_wording import conflict_rows, diff_rows, kinds_text, pending_sentence
from shopapp.pages.common import shop_health
from shopapp.pages.fulfilment import fulfilment_context
from shopapp.pages.preview_groups import group_reasons
from shopapp.pages.pulls import pull_lines
from shopapp.pages.wording import PREVIEW_PROBLEMS
from shopapp.params import int_param

# Within a page, what needs the merchant first.
OUTCOME_ORDER = {"invalid": 0, "needs_attention": 1, "PENDING": 2, "PARTIALLY_PAID": 3, "PAID": 4}


@embedded_view
@require_GET
def preview(request: HttpRequest) -> HttpResponse:
    shop = request.shop
    result = preview_waiting(shop=shop, page=int_param(request.GET.get("page")))
    lines = sorted(result.summary.lines, key=lambda line: OUTCOME_ORDER.get(line.outcome, 9))
    counts = result.summary.counts
    ids = record_ids_by_order_id(shop_id=shop.id, order_ids=[line.order_id for line in lines])
    rows = [(line, ids.get(line.order_id)) for line in lines]
    partially_paid = counts.get("PARTIALLY_PAID", 0) + counts.get("PENDING", 0)
    pulls = [line for line in pull_lines(shop.id, connections_of(shop_id=shop.id)).values() if line.active]
    pending = pending_changes(shop_id=shop.id)
    changes_page = open_changes(shop_id=shop.id, page=int_param(request.GET.get("changes_page")), total=pending.total)
    changes = [
        {"change": c, "kinds": kinds_text(c.kinds), "diff": diff_rows(c), "conflict": conflict_rows(c)}
        for c in changes_page.rows
    ]
    context = {
        "pending_changes": pending,
        "changes_page": changes_page,
        "pending_sentence": pending_sentence(pending),
        "changes": changes,
        "page_title": "Preview",
        "nav": "preview",
        "result": result,
        "page": result.window,
        "problem": PREVIEW_PROBLEMS.get(result.problem, ""),
        "rows": rows,
        "paid": counts.get("PAID", 0),
        "partially_paid": partially_paid,
        "attention": counts.get("needs_attention", 0) + counts.get("invalid", 0),
        "groups": group_reasons(rows, currency=shop.currency),
        "fulfilment": fulfilment_context(request, partially_paid=partially_paid, back="preview"),
        "include_transaction_data": shop.include_transaction_data,
        "health": shop_health(shop),
        "currency": shop.currency,
        "pulls": pulls,
        "pulling": bool(pulls),
        "notice": request.GET.get("notice", ""),
        "error": request.GET.get("error", ""),
    }
    return render(request, "shopapp/pages/preview.html", context)
