"""``X-Shopify-Hmac-Sha256``: base64 HMAC-SHA256 of the raw body, keyed by the app secret (or the
previous secret while Shopify rotates it), compared in constant time.
https://shopify.dev/docs/apps/build/webhooks/verify-deliveries
"""

import base64
import hashlib
import hmac

from django.conf import settings


def body_signature(body: bytes, secret: str) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def signature_valid(*, body: bytes, signature: str) -> bool:
    if not signature:
        return False
    valid = False
    for secret in (settings.SHOPIFY_API_SECRET, settings.SHOPIFY_API_SECRET_OLD):
        if secret:
            # Every secret is compared (no early exit), each in constant time.
            valid |= hmac.compare_digest(body_signature(body, secret).encode(), signature.encode())
    return valid
