"""``CUSTOMER_DIGEST_KEYS`` at start-up: given keys are used as they are; unset, keys are derived
from ENCRYPTION_KEYS (never SECRET_KEY in production); with neither, production refuses to start."""

import json
import os
import subprocess
import sys

from tests.support.processes import ROOT

PROBE = """
import json, django
from django.conf import settings
django.setup()
print(json.dumps({"keys": settings.CUSTOMER_DIGEST_KEYS, "secret": settings.SECRET_KEY}))
"""
PRODUCTION = {
    "SECRET_KEY": "x" * 50,
    "SHOPIFY_API_KEY": "key",
    "SHOPIFY_API_SECRET": "secret",
    "ENCRYPTION_KEYS": "dGVzdC1vbmx5LWtleS10ZXN0LW9ubHkta2V5LTAwMDA=,b2xkLW9ubHkta2V5LXRlc3Qtb25seS1rZXktMDAwMDA=",
    "ALLOWED_HOSTS": "app.example.com",
}


def start(env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}
    clean.update({"DJANGO_SETTINGS_MODULE": "shopapp.settings", **env})
    return subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=clean, capture_output=True, text=True)


def test_given_digest_keys_are_used_newest_first():
    result = start({**PRODUCTION, "CUSTOMER_DIGEST_KEYS": "new-digest-key,old-digest-key"})

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["keys"] == ["new-digest-key", "old-digest-key"]


def test_unset_digest_keys_derive_one_per_encryption_key_not_from_secret_key():
    result = start(PRODUCTION)

    assert result.returncode == 0, result.stderr
    keys = json.loads(result.stdout)["keys"]
    assert len(keys) == 2 and len(set(keys)) == 2
    assert PRODUCTION["SECRET_KEY"] not in keys and not any(k in PRODUCTION["ENCRYPTION_KEYS"] for k in keys)


def test_production_refuses_to_start_without_digest_or_encryption_keys():
    env = {k: v for k, v in PRODUCTION.items() if k != "ENCRYPTION_KEYS"}

    result = start(env)

    assert result.returncode != 0
    assert "ENCRYPTION_KEYS" in result.stderr
