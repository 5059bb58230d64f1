"""What the app shell records: staff setting changes, worker heartbeats, OAuth states, webhook deliveries
and customers' data requests. The installed shop itself lives in ``integrations/shops``."""

from django.conf import settings
from django.db import models

from integrations.shops.fields import EncryptedJSONField, EncryptedTextField
from integrations.shops.models import Shop


class SettingChange(models.Model):
    """Audit log of a per-store setting changed by staff (console or management command)."""

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="setting_changes")
    setting = models.CharField(max_length=64)
    old_value = models.CharField(max_length=255)
    new_value = models.CharField(max_length=255)
    reason = models.TextField()
    changed_by = models.CharField(max_length=254, help_text="The staff member's email.")
    staff_user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-changed_at"]


class WorkerHeartbeat(models.Model):
    """The last time a Celery worker ran the heartbeat task; /healthz reports its age."""

    name = models.CharField(max_length=64, unique=True, default="celery")
    beat_at = models.DateTimeField()
    hostname = models.CharField(max_length=255, blank=True)


class OAuthState(models.Model):
    """A single-use ``state`` nonce of the authorization-code install, bound to one shop.

    Only a SHA-256 digest of the nonce is stored; the callback deletes the row as it checks it.
    """

    nonce_digest = models.CharField(max_length=64, unique=True)
    shop_domain = models.CharField(max_length=255)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()


class UsedIdToken(models.Model):
    """An id token that travelled in a URL, by the digest of its ``jti``, kept until it expires: such a
    token opens one page, once (shopapp/used_tokens.py). Only without Redis, which holds them otherwise."""

    jti_digest = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField(db_index=True)


class WebhookDelivery(models.Model):
    """One webhook Shopify delivered, by its ``X-Shopify-Webhook-Id`` (the same on every retry), so a
    repeat is recognised. The payload (which may hold a customer's email) is encrypted and erased once
    the delivery is processed."""

    webhook_id = models.CharField(max_length=255, unique=True)
    topic = models.CharField(max_length=64)
    shop_domain = models.CharField(max_length=255, db_index=True)
    api_version = models.CharField(max_length=16, blank=True)
    triggered_at = models.DateTimeField(null=True, blank=True)
    payload = EncryptedJSONField(null=True, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return f"{self.topic} {self.shop_domain} {self.webhook_id}"


class DataRequest(models.Model):
    """A customer's request for their data (``customers/data_request``) and what we hold on them,
    for the merchant to hand over. The customer's email and the export are encrypted at rest."""

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="data_requests")
    shopify_request_id = models.CharField(max_length=64, blank=True)
    customer_id = models.CharField(max_length=64, blank=True)
    customer_email = EncryptedTextField(blank=True)
    export = EncryptedJSONField(null=True, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at"]


class TransactionDataRequest(models.Model):
    """A merchant's request to a Success rep to turn transaction data off (only a rep may: the help
    article's way out when a fulfilment service imports Paid orders only). The rep's console lists
    the open ones; setting transaction data off closes them."""

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="transaction_data_requests")
    message = models.TextField()
    requested_by = models.CharField(max_length=64, blank=True, help_text="The Shopify user id of the merchant.")
    requested_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.CharField(max_length=254, blank=True, help_text="The staff member's email.")

    class Meta:
        ordering = ["-requested_at"]
