"""Connection: the store's BackerKit projects (add, test, fetch orders, remove) and Shopify's
connection health with the Reconnect button when Shopify no longer accepts the app's token."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from integrations.orders.selectors_pages import connection_of, connections_of
from integrations.orders.services.pages import (
    ConnectionProblem,
    add_connection,
    check_connection,
    fetch_orders,
    remove_connection,
)
from shopapp.embedded import embedded_view
from shopapp.pages.common import redirect_to, shop_health, token_authenticated_form
from shopapp.pages.forms import ConnectionForm


def _render(
    request: HttpRequest, *, form: ConnectionForm | None = None, status: int = 200, checks: dict | None = None
) -> HttpResponse:
    shop = request.shop
    connections = connections_of(shop_id=shop.id)
    context = {
        "page_title": "Connection",
        "nav": "connection",
        "connections": connections,
        "form": form or ConnectionForm(),
        "show_form": form is not None or request.GET.get("add") == "1" or not connections,
        "health": shop_health(shop),
        "checks": checks or {},
        "notice": request.GET.get("notice", ""),
        "error": request.GET.get("error", ""),
    }
    return render(request, "shopapp/pages/connection.html", context, status=status)


@embedded_view
@require_GET
def connection(request: HttpRequest) -> HttpResponse:
    return _render(request)


@token_authenticated_form
@embedded_view
@require_POST
def add(request: HttpRequest) -> HttpResponse:
    form = ConnectionForm(request.POST)
    if not form.is_valid():
        return _render(request, form=form, status=400)
    try:
        created = add_connection(shop=request.shop, **form.cleaned_data)
    except ConnectionProblem as exc:
        form.add_error(exc.field or None, exc.message)
        return _render(request, form=form, status=400)
    try:
        fetched = fetch_orders(shop_id=request.shop.id, connection_id=created.id)
    except ConnectionProblem as exc:
        return redirect_to(request, "pages:connection", error=f"Connected, but fetching orders failed: {exc.message}")
    return redirect_to(
        request,
        "pages:preview",
        notice=f"Connected. {fetched} order{'s' if fetched != 1 else ''} fetched from BackerKit",
    )


def _own(request: HttpRequest, connection_id: int):
    found = connection_of(shop_id=request.shop.id, connection_id=connection_id)
    if found is None:
        raise Http404("No such connection in this store.")
    return found


@token_authenticated_form
@embedded_view
@require_POST
def test(request: HttpRequest, connection_id: int) -> HttpResponse:
    found = _own(request, connection_id)
    check = check_connection(shop_id=request.shop.id, connection_id=found.id)
    return _render(request, checks={found.id: check})


@token_authenticated_form
@embedded_view
@require_POST
def fetch(request: HttpRequest, connection_id: int) -> HttpResponse:
    found = _own(request, connection_id)
    try:
        fetched = fetch_orders(shop_id=request.shop.id, connection_id=found.id)
    except ConnectionProblem as exc:
        return redirect_to(request, "pages:connection", error=exc.message)
    return redirect_to(
        request, "pages:preview", notice=f"{fetched} new order{'s' if fetched != 1 else ''} fetched from BackerKit"
    )


@token_authenticated_form
@embedded_view
@require_POST
def remove(request: HttpRequest, connection_id: int) -> HttpResponse:
    found = _own(request, connection_id)
    outcome = remove_connection(shop_id=request.shop.id, connection_id=found.id)
    notice = "Connection removed" if outcome == "deleted" else "Connection stopped; its pushed orders stay listed"
    return redirect_to(request, "pages:connection", notice=notice)
