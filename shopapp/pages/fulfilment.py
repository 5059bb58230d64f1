"""Partially paid orders and the merchant's fulfilment service: what "outstanding" means, what
fulfilment connectors do with such orders, and the way out the help article gives (a Success rep
turns transaction data off), asked for from here with a prefilled request."""

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_POST

from shopapp.embedded import embedded_view
from shopapp.pages.common import redirect_to, token_authenticated_form
from shopapp.selectors import open_transaction_data_request
from shopapp.services import request_transaction_data_off

BACK_TO = {"home": ("home",), "preview": ("pages:preview",), "waves": ("pages:waves",)}


def prefilled_request(*, shop_domain: str, partially_paid: int) -> str:
    return (
        f"Please turn transaction data off for {shop_domain}. Our fulfilment service imports Paid orders "
        f"only, and {partially_paid} of our BackerKit orders are or would be Partially paid in Shopify."
    )


def fulfilment_context(request: HttpRequest, *, partially_paid: int, back: str) -> dict:
    """What the pages' "Partially paid orders" card needs (shopapp/pages/_fulfilment.html)."""
    shop = request.shop
    return {
        "partially_paid": partially_paid,
        "show": shop.include_transaction_data and partially_paid > 0,
        "open_request": open_transaction_data_request(shop_id=shop.id),
        "message": prefilled_request(shop_domain=shop.domain, partially_paid=partially_paid),
        "back": back,
    }


@token_authenticated_form
@embedded_view
@require_POST
def request_transaction_data_off_view(request: HttpRequest) -> HttpResponse:
    back = BACK_TO.get(request.POST.get("back", ""), ("home",))
    message = request.POST.get("message", "")
    if not message.strip():
        return redirect_to(request, *back, error="Write a message for your Success rep.")
    request_transaction_data_off(
        shop_id=request.shop.id, message=message, requested_by=str(request.shopify_user_id or "")
    )
    return redirect_to(request, *back, notice="Request sent to your Success rep")
