"""Settings: what the merchant may change (with Shopify's contextual save bar), and transaction
data, explained, which only a BackerKit Success rep changes."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from integrations.orders.selectors.waves import push_orders_held
from integrations.orders.services.change_decisions import update_settings
from integrations.orders.services.change_intake import settings_for
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
    choice = settings_for(shop.id)
    if request.method == "POST":
        form = SettingsForm.for_shop(shop, data=request.POST, change_settings=choice)
        if form.is_valid():
            values = dict(form.cleaned_data)
            changes = {name: values.pop(name) for name in SettingsForm.CHANGE_FIELDS}
            save_settings(shop_id=shop.id, values=values)
            update_settings(shop_id=shop.id, **changes)
            return redirect_to(request, "pages:settings", notice="Settings saved")
        status = 400
    else:
        form, status = SettingsForm.for_shop(shop, change_settings=choice), 200
    context = {
        "page_title": "Settings",
        "nav": "settings",
        "form": form,
        "road_help": PUSH_ROAD_HELP,
        "transaction_data": shop.include_transaction_data,
        "last_change": last_setting_change(shop_id=shop.id, setting="include_transaction_data"),
        "push_held": push_orders_held(shop_id=shop.id),
        "notice": request.GET.get("notice", ""),
        "error": request.GET.get("error", ""),
    }
    return render(request, "shopapp/pages/settings.html", context, status=status)
