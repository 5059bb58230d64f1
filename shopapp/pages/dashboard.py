"""What Home shows (shopapp/pages/home.py renders it): the setup guide until it is dismissed or
done, and the key numbers of the store's pushes; and dismissing the guide."""

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_POST

from integrations.orders.selectors.metrics import store_metrics
from integrations.orders.selectors.shipments import shipped_orders
from integrations.orders.services.shop_settings import dismiss_setup_guide
from shopapp.embedded import embedded_view
from shopapp.pages.common import redirect_to, shop_health, token_authenticated_form
from shopapp.pages.fulfilment import fulfilment_context
from shopapp.pages.setup_guide import setup_guide
from shopapp.pages.wording import eta_text, time_ago


def home_context(request: HttpRequest) -> dict:
    shop = request.shop
    metrics = store_metrics(shop_id=shop.id)
    guide = setup_guide(metrics=metrics)
    return {
        "page_title": "Home",
        "nav": "home",
        "metrics": metrics,
        "shipped": shipped_orders(shop_id=shop.id),
        "eta": eta_text(metrics.progress.eta_seconds, running=metrics.progress.running),
        "last_pushed_ago": time_ago(metrics.last_pushed_at) if metrics.last_pushed_at else "",
        "fulfilment": fulfilment_context(request, partially_paid=metrics.partially_paid, back="home"),
        "guide": guide,
        "show_guide": not shop.setup_guide_dismissed and not guide.complete,
        "health": shop_health(shop),
        "notice": request.GET.get("notice", ""),
        "error": request.GET.get("error", ""),
    }


@token_authenticated_form
@embedded_view
@require_POST
def dismiss_guide(request: HttpRequest) -> HttpResponse:
    dismiss_setup_guide(shop_id=request.shop.id)
    return redirect_to(request, "home")
