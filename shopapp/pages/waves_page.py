"""Waves: the store's waves with their rules, planned date and counts (pushed, held, released), the
orders that match none, Release now (or a country first) and Schedule (beat releases it on its
ship date), "push orders held", and the downstream warnings (Partially paid orders, the 60 days
Shopify shows apps without read_all_orders). The page and ``manage.py waves`` share the services."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from integrations.orders.models import BackerKitConnection, Wave
from integrations.orders.selectors.waves import ALL_ORDERS_SCOPE, VISIBLE_DAYS, push_orders_held, wave_rows
from integrations.orders.services import wave_release, waves
from integrations.orders.services.waves import WaveError
from integrations.orders.wave_tasks import start_release
from integrations.shops.tokens.scopes import missing_scopes
from shopapp.embedded import embedded_view
from shopapp.pages.common import redirect_to, token_authenticated_form
from shopapp.pages.forms import WaveForm
from shopapp.pages.fulfilment import fulfilment_context
from shopapp.pages.wording import eta_text


def _who(request: HttpRequest) -> str:
    return f"merchant (Shopify user {request.shopify_user_id})" if request.shopify_user_id else "merchant"


def _connections(request: HttpRequest) -> list[str]:
    return list(BackerKitConnection.objects.filter(shop=request.shop).values_list("store_name", flat=True))


def _render(request: HttpRequest, *, form: WaveForm | None = None, preview=None, status: int = 200) -> HttpResponse:
    shop = request.shop
    rows = wave_rows(shop_id=shop.id)
    counts = preview or waves.preview_counts(shop=shop)
    releasing = {}
    for row in rows:
        if row.releasing:
            done = wave_release.progress(wave=row.wave)
            releasing[row.wave.id] = f"{done.released} of {done.targeted} released · " + eta_text(
                done.eta_seconds, running=True
            )
    context = {
        "page_title": "Waves",
        "nav": "waves",
        "rows": rows,
        "releasing": releasing,
        "unmatched": counts.unmatched,
        "preview": preview,
        "form": form or WaveForm(connections=_connections(request)),
        "push_held": push_orders_held(shop_id=shop.id),
        "far_out": [row for row in rows if row.beyond_visible_days],
        "all_orders_scope": ALL_ORDERS_SCOPE,
        "all_orders_granted": not missing_scopes(shop.scopes, needed=(ALL_ORDERS_SCOPE,)),
        "visible_days": VISIBLE_DAYS,
        "fulfilment": fulfilment_context(request, partially_paid=sum(r.partially_paid for r in rows), back="waves"),
        "notice": request.GET.get("notice", ""),
        "error": request.GET.get("error", ""),
    }
    return render(request, "shopapp/pages/waves.html", context, status=status)


@embedded_view
@require_GET
def waves_page(request: HttpRequest) -> HttpResponse:
    return _render(request)


@token_authenticated_form
@embedded_view
@require_POST
def create(request: HttpRequest) -> HttpResponse:
    form = WaveForm(request.POST, connections=_connections(request))
    if not form.is_valid():
        return _render(request, form=form, status=400)
    try:
        if request.POST.get("preview"):
            rules = waves.rules_from(shop=request.shop, **form.rules())
            counts = waves.preview_counts(shop=request.shop, extra=(form.cleaned_data["name"], rules))
            return _render(request, form=form, preview=counts)
        wave = waves.create_wave(shop=request.shop, name=form.cleaned_data["name"], by=_who(request),
                                 ship_date=form.cleaned_data["ship_date"], **form.rules())  # fmt: skip
    except WaveError as exc:
        form.add_error(None, str(exc))
        return _render(request, form=form, status=400)
    return redirect_to(request, "pages:waves", notice=f"Wave {wave.name} created")


def _wave(request: HttpRequest, wave_id: int) -> Wave:
    wave = Wave.objects.filter(shop=request.shop, id=wave_id).first()
    if wave is None:
        raise Http404("No such wave in this store.")
    return wave


@token_authenticated_form
@embedded_view
@require_POST
def release(request: HttpRequest, wave_id: int) -> HttpResponse:
    wave = _wave(request, wave_id)
    countries = [c.strip().upper() for c in request.POST.get("countries", "").split(",") if c.strip()]
    audit = wave_release.request_release(wave=wave, by=_who(request), countries=countries or None)
    start_release(shop_id=request.shop.id)
    scope = f" ({', '.join(countries)})" if countries else ""
    orders = f"{audit.targeted} order{'s' if audit.targeted != 1 else ''}"
    return redirect_to(request, "pages:waves", notice=f"Releasing {wave.name}{scope}: {orders}")


@token_authenticated_form
@embedded_view
@require_POST
def schedule(request: HttpRequest, wave_id: int) -> HttpResponse:
    wave = _wave(request, wave_id)
    on = request.POST.get("on") == "1"
    try:
        wave_release.schedule_release(wave=wave, on=on, by=_who(request))
    except ValueError as exc:
        return redirect_to(request, "pages:waves", error=str(exc))
    when = f"on {wave.ship_date:%b %-d, %Y}" if on else "when you release it"
    return redirect_to(request, "pages:waves", notice=f"{wave.name} is released {when}")


@token_authenticated_form
@embedded_view
@require_POST
def hold_new(request: HttpRequest) -> HttpResponse:
    on = request.POST.get("on") == "1"
    try:
        waves.set_push_orders_held(shop=request.shop, on=on, by=_who(request))
    except WaveError as exc:
        back = "pages:settings" if request.POST.get("back") == "pages:settings" else "pages:waves"
        return redirect_to(request, back, error=str(exc))
    notice = "New orders of waves not released are pushed held" if on else "New orders are pushed without holds"
    back = "pages:settings" if request.POST.get("back") == "pages:settings" else "pages:waves"
    return redirect_to(request, back, notice=notice)
