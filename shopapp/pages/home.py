"""The embedded home at ``/``: the setup guide and the key numbers (shopapp/pages/dashboard.py),
the shop's connection state with the Reconnect button when Shopify stopped accepting the app, and
the customers' data requests to hand over. Every read is scoped to ``request.shop``, the shop of
the session token."""

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from shopapp.embedded import embedded_view
from shopapp.pages.dashboard import home_context
from shopapp.selectors import data_request_of, data_requests_to_hand_over


@embedded_view
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    shop = request.shop
    context = {
        **home_context(request),
        "shop": shop,
        "data_requests": data_requests_to_hand_over(shop_id=shop.id),
    }
    return render(request, "shopapp/home.html", context)


@embedded_view
@require_GET
def data_request_export(request: HttpRequest, request_id: int) -> HttpResponse:
    """A customer's data export, as JSON, for the merchant of that shop only."""
    data_request = data_request_of(shop_id=request.shop.id, request_id=request_id)
    if data_request is None:
        raise Http404("No such data request for this store.")
    response = JsonResponse(data_request.export or {}, json_dumps_params={"indent": 2})
    response["Content-Disposition"] = f'attachment; filename="data-request-{data_request.id}.json"'
    response["Cache-Control"] = "no-store"
    return response
