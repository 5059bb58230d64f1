"""Encryption at rest for access tokens and customers' personal data.

Fernet (AES-128-CBC + HMAC-SHA256) from ``cryptography``; ``ENCRYPTION_KEYS`` holds one or more
keys, newest first: the first encrypts, every one decrypts (``MultiFernet``). Rotating a key:
put the new key first, run ``manage.py rotate_encryption_keys`` to re-encrypt every value, then
remove the old key.
"""

import base64
import hashlib
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


class DecryptionError(Exception):
    """A stored value cannot be decrypted with any configured key."""


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key.encode()) for key in keys])


def configured_keys() -> tuple[str, ...]:
    if settings.ENCRYPTION_KEYS:
        return tuple(settings.ENCRYPTION_KEYS)
    # DEBUG only (settings refuse production without keys): a key derived from SECRET_KEY.
    derived = base64.urlsafe_b64encode(hashlib.sha256(settings.SECRET_KEY.encode()).digest())
    return (derived.decode(),)


def encrypt(plaintext: str) -> str:
    return _fernet(configured_keys()).encrypt(plaintext.encode()).decode()


def decrypt(ciphertext: str) -> str:
    try:
        return _fernet(configured_keys()).decrypt(ciphertext.encode()).decode()
    except InvalidToken as exc:
        raise DecryptionError("stored value cannot be decrypted with the configured ENCRYPTION_KEYS") from exc


def rotate(ciphertext: str) -> str:
    """Re-encrypt with the newest key."""
    return _fernet(configured_keys()).rotate(ciphertext.encode()).decode()
