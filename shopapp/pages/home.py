"""The embedded home at ``/``: the setup guide and the key numbers (shopapp/pages/dashboard.py),
the shop's connection state with the Reconnect button when Shopify stopped accepting the app, and
the customers' data requests to hand over. Every query is scoped to ``request.shop``, the shop of
the session token."""

from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from shopapp.embedded import embedded_view
from shopapp.models import DataRequest
from shopapp.pages.dashboard import home_context


def reconnect_url_for(domain: str) -> str:
    return f"{reverse('install:start')}?{urlencode({'shop': domain})}"


@embedded_view
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    shop = request.shop
    context = {
        **home_context(request),
        "shop": shop,
        "data_requests": DataRequest.objects.filter(shop=shop, export__isnull=False)[:20],
    }
    return render(request, "shopapp/home.html", context)


@embedded_view
@require_GET
def data_request_export(request: HttpRequest, request_id: int) -> HttpResponse:
    """A customer's data export, as JSON, for the merchant of that shop only."""
    data_request = DataRequest.objects.filter(shop=request.shop, id=request_id).first()
    if data_request is None:
        raise Http404("No such data request for this store.")
    response = JsonResponse(data_request.export or {}, json_dumps_params={"indent": 2})
    response["Content-Disposition"] = f'attachment; filename="data-request-{data_request.id}.json"'
    response["Cache-Control"] = "no-store"
    return response
