"""Connection: the store's BackerKit projects (add, test, fetch orders, remove) and Shopify's
connection health with the Reconnect button when Shopify no longer accepts the app's token.

Add and Fetch only queue a pull (``request_pull``) and answer at once: pulling a large project
takes minutes, which a web worker must never spend. The pages show the pull's progress
(``pulls`` below, polled by static/shopapp/pages.js; shopapp/pages/pulls.py) and its result."""

from dataclasses import asdict, dataclass

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from integrations.orders.models import BackerKitConnection
from integrations.orders.selectors.connections import connection_of, connections_of
from integrations.orders.services.connections import (
    ConnectionProblem,
    add_connection,
    check_connection,
    remove_connection,
    request_pull,
)
from shopapp.embedded import embedded_view
from shopapp.pages.common import redirect_to, shop_health, token_authenticated_form
from shopapp.pages.forms import ConnectionForm
from shopapp.pages.pulls import pull_lines
from shopapp.pages.wording import connection_checked, connection_problem


@dataclass(frozen=True)
class CheckLine:
    """The answer to "Test connection", as the page shows it."""

    ok: bool
    message: str


def _render(
    request: HttpRequest, *, form: ConnectionForm | None = None, status: int = 200, checks: dict | None = None
) -> HttpResponse:
    shop = request.shop
    connections = connections_of(shop_id=shop.id)
    pulls = pull_lines(shop.id, connections)
    context = {
        "page_title": "Connection",
        "nav": "connection",
        "connections": connections,
        "pulls": pulls,
        "pulling": any(line.active for line in pulls.values()),
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


@embedded_view
@require_GET
def pulls(request: HttpRequest) -> JsonResponse:
    """The latest pull of each connection, polled while one is queued or running."""
    lines = pull_lines(request.shop.id, connections_of(shop_id=request.shop.id))
    data = {
        "active": any(line.active for line in lines.values()),
        "pulls": [asdict(line) for line in lines.values()],
    }
    return JsonResponse(data, headers={"Cache-Control": "no-store"})


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
        form.add_error(exc.field or None, connection_problem(exc))
        return _render(request, form=form, status=400)
    try:
        request_pull(shop_id=request.shop.id, connection_id=created.id)
    except ConnectionProblem as exc:
        message = f"Connected, but fetching orders failed: {connection_problem(exc)}"
        return redirect_to(request, "pages:connection", error=message)
    return redirect_to(request, "pages:preview", notice="Connected. Fetching orders from BackerKit")


def _own(request: HttpRequest, connection_id: int) -> BackerKitConnection:
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
    message = (
        connection_checked(check.project, resumed=check.resumed) if check.ok else connection_problem(check.problem)
    )
    return _render(request, checks={found.id: CheckLine(check.ok, message)})


@token_authenticated_form
@embedded_view
@require_POST
def fetch(request: HttpRequest, connection_id: int) -> HttpResponse:
    found = _own(request, connection_id)
    try:
        request_pull(shop_id=request.shop.id, connection_id=found.id)
    except ConnectionProblem as exc:
        return redirect_to(request, "pages:connection", error=connection_problem(exc))
    return redirect_to(request, "pages:connection", notice="Fetching new orders from BackerKit")


@token_authenticated_form
@embedded_view
@require_POST
def remove(request: HttpRequest, connection_id: int) -> HttpResponse:
    found = _own(request, connection_id)
    outcome = remove_connection(shop_id=request.shop.id, connection_id=found.id)
    notice = "Connection removed" if outcome == "deleted" else "Connection stopped; its pushed orders stay listed"
    return redirect_to(request, "pages:connection", notice=notice)
