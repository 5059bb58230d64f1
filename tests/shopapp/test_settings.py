"""Settings behave as documented: embedded default vs production shape, and production safety."""

import json
import os
import subprocess
import sys

from tests.support.processes import ROOT

PROBE = """
import json, django
from django.conf import settings
django.setup()
print(json.dumps({
    "engine": settings.DATABASES["default"]["ENGINE"],
    "eager": settings.CELERY_TASK_ALWAYS_EAGER,
    "local_worker": settings.LOCAL_WORKER,
    "broker": settings.CELERY_BROKER_URL,
    "hsts": getattr(settings, "SECURE_HSTS_SECONDS", 0),
    "secure_cookie": settings.SESSION_COOKIE_SECURE,
    "middleware": settings.MIDDLEWARE,
}))
"""


SECRETS = {
    "SECRET_KEY": "x" * 50,
    "SHOPIFY_API_KEY": "key",
    "SHOPIFY_API_SECRET": "secret",
    "ENCRYPTION_KEYS": "dGVzdC1vbmx5LWtleS10ZXN0LW9ubHkta2V5LTAwMDA=",
    "ALLOWED_HOSTS": "app.example.com",
}
PRODUCTION_ENV = {
    **SECRETS,
    "DATABASE_URL": "postgres://u@db.example.com:5432/app",
    "REDIS_URL": "redis://cache.example.com:6379/0",
}


def run_settings(env: dict[str, str], probe: str = PROBE) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}
    clean["DJANGO_SETTINGS_MODULE"] = "shopapp.settings"
    clean.update(env)
    return subprocess.run([sys.executable, "-c", probe], cwd=ROOT, env=clean, capture_output=True, text=True)


def test_embedded_default_uses_sqlite_and_runs_tasks_in_a_local_worker_never_eagerly():
    result = run_settings({"DEBUG": "1"})
    assert result.returncode == 0, result.stderr
    probe = json.loads(result.stdout)
    assert probe["engine"] == "django.db.backends.sqlite3"
    assert probe["eager"] is False, "eager tasks turn a Push click into a request that pushes for minutes"
    assert probe["local_worker"] is True
    assert probe["broker"] == "memory://localhost"


def test_production_shape_uses_postgresql_and_the_redis_broker():
    result = run_settings(PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    probe = json.loads(result.stdout)
    assert probe["engine"] == "django.db.backends.postgresql"
    assert probe["eager"] is False and probe["local_worker"] is False
    assert probe["broker"] == "redis://cache.example.com:6379/0"
    assert probe["hsts"] >= 31536000
    assert probe["secure_cookie"] is True
    assert "django.middleware.clickjacking.XFrameOptionsMiddleware" not in probe["middleware"]


def test_production_refuses_to_start_without_each_secret():
    for missing in SECRETS:
        env = {k: v for k, v in SECRETS.items() if k != missing}
        result = run_settings(env)
        assert result.returncode != 0, f"started without {missing}"
        assert missing in result.stderr


BROKER_PROBE = """
import json, django
django.setup()
from shopapp.celery import app
connection = app.connection_for_write()
print(json.dumps({"transport": type(connection.transport).__module__, "ssl": connection.ssl}))
"""


def test_a_rediss_broker_keeps_tls_with_the_apps_transport():
    result = run_settings({**PRODUCTION_ENV, "REDIS_URL": "rediss://:pw@cache.example.com:6380/0"}, BROKER_PROBE)
    assert result.returncode == 0, result.stderr
    probe = json.loads(result.stdout)
    assert probe["transport"] == "shopapp.broker"
    assert probe["ssl"] == {"ssl_cert_reqs": 2}  # ssl.CERT_REQUIRED


def test_a_redis_url_the_broker_cannot_use_is_refused_at_start():
    result = run_settings({"DEBUG": "1", "REDIS_URL": "sentinel://cache.example.com:26379"})
    assert result.returncode != 0
    assert "REDIS_URL must be a redis:// or rediss:// URL" in result.stderr
