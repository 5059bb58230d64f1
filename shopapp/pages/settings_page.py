"""Settings: what the merchant may change (with Shopify's contextual save bar), and transaction
data, explained, which only a BackerKit Success rep changes."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from integrations.orders.services.shop_settings import save_settings
from shopapp.embedded import embedded_view
from shopapp.pages.common import redirect_to, token_authenticated_form
from shopapp.pages.forms import SettingsForm
from shopapp.pages.wording import PUSH_ROAD_HELP
from shopapp.selectors import last_setting_change


@token_authenticated_form
@embedded_view
@require_http_methods(["GET", "POST"])
def settings_page(request: HttpRequest) -> HttpResponse:
    shop = request.shop
    if request.method == "POST":
        form = SettingsForm.for_shop(shop, data=request.POST)
        if form.is_valid():
            save_settings(shop_id=shop.id, values=form.cleaned_data)
            return redirect_to(request, "pages:settings", notice="Settings saved")
        status = 400
    else:
        form, status = SettingsForm.for_shop(shop), 200
    context = {
        "page_title": "Settings",
        "nav": "settings",
        "form": form,
        "road_help": PUSH_ROAD_HELP,
        "transaction_data": shop.include_transaction_data,
        "last_change": last_setting_change(shop_id=shop.id, setting="include_transaction_data"),
        "notice": request.GET.get("notice", ""),
    }
    return render(request, "shopapp/pages/settings.html", context, status=status)
