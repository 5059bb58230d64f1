"""Forms of the merchant's pages: errors are rendered inline, next to their field."""

from django import forms

from integrations.shops.models import Shop
from shopapp.pages.wording import INVENTORY_LABELS, PUSH_ROAD_LABELS, TAX_MODE_LABELS, accepted


class InlineErrorsMixin:
    """Fields with errors are marked invalid and point at their message (screen readers)."""

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                attrs["aria-invalid"] = "true"
                attrs["aria-describedby"] = f"{self[name].id_for_label}-error"


class ConnectionForm(InlineErrorsMixin, forms.Form):
    store_name = forms.CharField(
        label="Connected store name",
        max_length=255,
        help_text="Tagged on every order, so you can find the orders of this project in Shopify.",
        error_messages={"required": "Enter the store name to tag orders with."},
    )
    project = forms.CharField(
        label="BackerKit project ID",
        max_length=255,
        help_text="In BackerKit: Settings → Integrations → API.",
        error_messages={"required": "Enter the project ID from BackerKit."},
    )
    api_key = forms.CharField(
        label="BackerKit API key",
        max_length=255,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text="Stored encrypted. Only its last 4 characters are ever shown again.",
        error_messages={"required": "Paste the project's API key from BackerKit."},
    )


class SettingsForm(InlineErrorsMixin, forms.Form):
    auto_push = forms.BooleanField(
        required=False,
        label="Push new orders automatically",
        help_text="When BackerKit locks new orders, they are sent to Shopify without waiting for you.",
    )
    tax_mode = forms.ChoiceField(
        choices=list(TAX_MODE_LABELS.items()),
        widget=forms.RadioSelect,
        label="Taxes paid in BackerKit",
        error_messages={"required": accepted(TAX_MODE_LABELS), "invalid_choice": accepted(TAX_MODE_LABELS)},
    )
    inventory_behaviour = forms.ChoiceField(
        choices=list(INVENTORY_LABELS.items()),
        widget=forms.RadioSelect,
        label="Inventory",
        error_messages={"required": accepted(INVENTORY_LABELS), "invalid_choice": accepted(INVENTORY_LABELS)},
    )
    push_road = forms.ChoiceField(
        choices=list(PUSH_ROAD_LABELS.items()),
        widget=forms.RadioSelect,
        required=False,  # a form without it keeps the store's choice
        label="How orders travel to Shopify",
        error_messages={"invalid_choice": accepted(PUSH_ROAD_LABELS)},
    )
    send_receipt = forms.BooleanField(required=False, label="Email an order confirmation to the backer")
    send_fulfillment_receipt = forms.BooleanField(required=False, label="Email a shipping confirmation to the backer")

    @classmethod
    def for_shop(cls, shop: Shop, data=None) -> "SettingsForm":
        initial = {
            "auto_push": shop.auto_push,
            "tax_mode": shop.tax_mode,
            "inventory_behaviour": shop.inventory_behaviour,
            "send_receipt": shop.send_receipt,
            "send_fulfillment_receipt": shop.send_fulfillment_receipt,
            "push_road": shop.push_road,
        }
        return cls(data=data, initial=initial)

    def clean_push_road(self) -> str:
        return self.cleaned_data.get("push_road") or self.initial.get("push_road") or Shop.PushRoad.AUTO


class RetryForm(forms.Form):
    record = forms.IntegerField(required=False, min_value=1)
    all = forms.BooleanField(required=False)
