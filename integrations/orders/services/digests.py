"""The customer digest: how a customer's push records are found again without storing the email.

The digest is an HMAC-SHA256 of the trimmed, lower-cased email, keyed by ``CUSTOMER_DIGEST_KEYS``
(newest first): the newest key computes every new digest, and every listed key is matched, so a
key rotation never makes a customer's records unfindable by ``customers/redact`` or
``customers/data_request``. Digests made before the setting existed were keyed by ``SECRET_KEY``:
they are matched too, until ``manage.py rotate_customer_digests`` has recomputed them.
"""

import hashlib
import hmac

from django.conf import settings


def _digest(key: str, email: str) -> str:
    # surrogatepass: a refused order's email may hold a lone surrogate; it is still findable.
    normalized = email.strip().lower().encode("utf-8", "surrogatepass")
    return hmac.new(key.encode(), normalized, hashlib.sha256).hexdigest()


def customer_digest(email: str) -> str:
    """The digest a new record stores (newest key)."""
    if not email:
        return ""
    return _digest(settings.CUSTOMER_DIGEST_KEYS[0], email)


def matching_digests(email: str) -> list[str]:
    """Every digest ``email`` may be stored under: one per listed key, and the legacy SECRET_KEY one."""
    if not email:
        return []
    keys = [*settings.CUSTOMER_DIGEST_KEYS, settings.SECRET_KEY]
    return list(dict.fromkeys(_digest(key, email) for key in keys))
