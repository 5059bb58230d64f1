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
    # After the push: which changes from BackerKit are applied without asking first.
    auto_address = forms.BooleanField(required=False, label="Address, contact and tags")
    auto_items = forms.BooleanField(required=False, label="Items (add-ons added or removed, quantities, SKUs)")
    auto_money = forms.BooleanField(required=False, label="Payments and partial refunds")
    auto_cancel = forms.BooleanField(required=False, label="Cancellations and refunds")

    CHANGE_FIELDS = ("auto_address", "auto_items", "auto_money", "auto_cancel")

    @classmethod
    def for_shop(cls, shop: Shop, data=None, change_settings=None) -> "SettingsForm":
        initial = {
            "auto_push": shop.auto_push,
            "tax_mode": shop.tax_mode,
            "inventory_behaviour": shop.inventory_behaviour,
            "send_receipt": shop.send_receipt,
            "send_fulfillment_receipt": shop.send_fulfillment_receipt,
            "push_road": shop.push_road,
        }
        if change_settings is not None:
            initial.update({name: getattr(change_settings, name) for name in cls.CHANGE_FIELDS})
        return cls(data=data, initial=initial)

    def clean_push_road(self) -> str:
        return self.cleaned_data.get("push_road") or self.initial.get("push_road") or Shop.PushRoad.CALLS


class RetryForm(forms.Form):
    record = forms.IntegerField(required=False, min_value=1)
    all = forms.BooleanField(required=False)


def _codes(value: str) -> list[str]:
    return [part.strip() for part in (value or "").replace("\n", ",").split(",") if part.strip()]


class WaveForm(InlineErrorsMixin, forms.Form):
    name = forms.CharField(label="Wave name", max_length=100, error_messages={"required": "Name the wave."})
    countries = forms.CharField(required=False, label="Ships to (countries)",
                                help_text="Two-letter codes, e.g. US, CA. Empty: any country.")  # fmt: skip
    skus = forms.CharField(required=False, label="Contains (SKUs)", help_text="Orders with any of these SKUs.")
    connection = forms.ChoiceField(required=False, label="BackerKit project")
    backer_ids = forms.CharField(required=False, label="Backer IDs", widget=forms.Textarea(attrs={"rows": 3}),
                                 help_text="Pasted list, one per line or comma-separated.")  # fmt: skip
    rest = forms.BooleanField(required=False, label="Every order not in another wave")
    ship_date = forms.DateField(
        required=False,
        label="Planned ship date",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Enter a date as YYYY-MM-DD."},
    )

    def __init__(self, *args, connections: list[str] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["connection"].choices = [("", "Any project")] + [(name, name) for name in connections]

    def rules(self) -> dict:
        data = self.cleaned_data
        return {
            "countries": _codes(data["countries"]),
            "skus": _codes(data["skus"]),
            "connection_name": data["connection"] or "",
            "backer_ids": _codes(data["backer_ids"]),
            "rest": data["rest"],
        }
