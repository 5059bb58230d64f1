"""The merchant's decisions on changes from BackerKit: approve, apply anyway, keep a value, dismiss."""

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_POST

from integrations.orders.services.change_decisions import ChangeNotPossible, approve, approve_waiting, dismiss
from shopapp.embedded import embedded_view
from shopapp.pages.change_wording import CHANGE_REFUSALS
from shopapp.pages.common import redirect_to, token_authenticated_form

NOTICES = {"approve": "Sending the change to Shopify", "dismiss": "Change dismissed: the Shopify order stays as it is"}


def _back(request: HttpRequest, record_id: int | None):
    if request.POST.get("back") == "order" and record_id:
        return ("pages:order", record_id)
    return ("pages:preview",)


@token_authenticated_form
@embedded_view
@require_POST
def decide(request: HttpRequest, change_id: int) -> HttpResponse:
    action = request.POST.get("action", "")
    if action not in NOTICES:
        return redirect_to(request, "pages:preview", error="Choose what to do with the change.")
    try:
        change = (approve if action == "approve" else dismiss)(shop_id=request.shop.id, change_id=change_id)
    except ChangeNotPossible as exc:
        return redirect_to(request, "pages:preview", error=CHANGE_REFUSALS[exc.code])
    return redirect_to(request, *_back(request, change.record_id), notice=NOTICES[action])


@token_authenticated_form
@embedded_view
@require_POST
def approve_all(request: HttpRequest) -> HttpResponse:
    count = approve_waiting(shop_id=request.shop.id)
    notice = f"Sending {count} change{'s' if count != 1 else ''} to Shopify" if count else "No change is waiting"
    return redirect_to(request, "pages:preview", notice=notice)
