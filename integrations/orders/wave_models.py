"""Waves: named groups of a shop's orders that ship together, held in Shopify until released.

``Wave`` holds the rules (countries, SKUs, connection, backer ids, or the rest) and the release
state; ``WaveMember`` ties one push record to its wave (at most one) with the record's own hold in
Shopify (placed right after ``orderCreate``, released exactly once); ``WaveRelease`` audits each
release (who, when, which countries, how many); ``WaveSettings`` is the shop's "push orders held".
Imported by models.py (Django finds the models there).
"""

from django.db import models

from integrations.shops.models import Shop


class WaveSettings(models.Model):
    shop = models.OneToOneField(Shop, on_delete=models.CASCADE, related_name="wave_settings")
    # Orders of a wave not released yet are pushed with their fulfilment orders on hold.
    push_orders_held = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)


class Wave(models.Model):
    class State(models.TextChoices):
        HOLDING = "holding", "Not released"
        RELEASING = "releasing", "Releasing"
        RELEASED = "released", "Released"

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="waves")
    name = models.CharField(max_length=100)
    position = models.PositiveIntegerField(default=0, help_text="Rules are tried in this order; first match wins.")
    ship_date = models.DateField(null=True, blank=True)
    # Rules: every one given must match (an empty one matches anything); ``rest``: every order no
    # earlier wave took.
    countries = models.JSONField(default=list, blank=True)
    skus = models.JSONField(default=list, blank=True)
    connection = models.ForeignKey(
        "orders.BackerKitConnection", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    backer_ids = models.JSONField(default=list, blank=True)
    rest = models.BooleanField(default=False)

    state = models.CharField(max_length=16, choices=State.choices, default=State.HOLDING)
    released_countries = models.JSONField(default=list, blank=True, help_text="Released ahead of the wave.")
    release_scheduled = models.BooleanField(default=False, help_text="Released by beat on its ship date.")
    released_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["shop", "name"], name="unique_wave_name_per_shop")]
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.shop_id})"

    def released_for(self, country: str) -> bool:
        return self.state == self.State.RELEASED or country in (self.released_countries or [])

    @property
    def handle(self) -> str:
        """The hold's handle in Shopify: one hold per wave per fulfilment order, never two."""
        return f"bk-wave-{self.id}"


class WaveMember(models.Model):
    class Hold(models.TextChoices):
        NOT_HELD = "not_held", "Not held"  # pushed while its wave was released, or holding is off
        TO_HOLD = "to_hold", "To hold"
        HELD = "held", "Held"
        TO_RELEASE = "to_release", "To release"
        RELEASING = "releasing", "Releasing"
        RELEASED = "released", "Released"
        NEEDS_ATTENTION = "needs_attention", "Needs attention"

    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="members")
    # An order whose items are in several SKU waves has one member per wave: each earlier wave holds
    # its lines (``skus``, split off with a partial hold), the latest holds the rest (``skus`` empty).
    record = models.ForeignKey("orders.PushRecord", on_delete=models.CASCADE, related_name="wave_members")
    skus = models.JSONField(default=list, blank=True)
    country = models.CharField(max_length=2, blank=True)
    # Earlier waves whose lines follow this one whole: Shopify refused to hold part of the order.
    also_in = models.JSONField(default=list, blank=True)
    hold_state = models.CharField(max_length=16, choices=Hold.choices, default=Hold.NOT_HELD)
    fulfillment_order_ids = models.JSONField(default=list, blank=True)
    hold_ids = models.JSONField(default=list, blank=True)
    # Stamped before each hold / release is sent, cleared when its outcome is known: an answer that
    # never came is resolved by reading the fulfilment orders back, never by sending blindly again.
    hold_sent_at = models.DateTimeField(null=True, blank=True)
    release_sent_at = models.DateTimeField(null=True, blank=True)
    held_at = models.DateTimeField(null=True, blank=True)
    released_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    not_before = models.DateTimeField(null=True, blank=True)
    claim_token = models.CharField(max_length=32, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        indexes = [models.Index(fields=["wave", "hold_state"], name="wave_member_state_idx")]
        constraints = [models.UniqueConstraint(fields=["record", "wave"], name="unique_wave_member_per_record")]


class WaveRelease(models.Model):
    """One release asked for (now, by schedule, or a country first): the audit."""

    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="releases")
    requested_by = models.CharField(max_length=255, help_text="The merchant, a rep, a command, or the schedule.")
    requested_at = models.DateTimeField(auto_now_add=True)
    countries = models.JSONField(default=list, blank=True, help_text="Empty: the whole wave.")
    targeted = models.PositiveIntegerField(default=0, help_text="Holds to release when it was asked.")

    class Meta:
        ordering = ["-requested_at"]
