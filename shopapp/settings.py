"""Settings for the BackerKit -> Shopify orders app.

Every setting is read once, here, from the environment (django-environ). With no environment at all
the app runs on its *embedded default*: a SQLite file and Celery tasks executed in-process. With
``DATABASE_URL`` and ``REDIS_URL`` set it takes the production shape: PostgreSQL, a Redis broker and
separate worker and beat processes. ``.env.example`` documents every variable.
"""

import hashlib
import hmac
import ssl
from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
_env_file = BASE_DIR / ".env"
if _env_file.exists():
    environ.Env.read_env(_env_file)

DEBUG = env.bool("DEBUG", default=False)

# Secrets: in DEBUG (the demo, development) fixed development values stand in; in production each
# one must be given, and the process refuses to start without it.
_DEV_SECRET_KEY = "dev-only-insecure-secret-key-never-use-in-production"
_DEV_SHOPIFY_API_KEY = "dev-api-key"
_DEV_SHOPIFY_API_SECRET = "dev-api-secret-for-the-local-simulator"  # >= 32 bytes for HS256


def _required(name: str, dev_default: str) -> str:
    value = env.str(name, default="")
    if value:
        return value
    if DEBUG:
        return dev_default
    raise ImproperlyConfigured(f"{name} must be set when DEBUG is off.")


SECRET_KEY = _required("SECRET_KEY", _DEV_SECRET_KEY)
SHOPIFY_API_KEY = _required("SHOPIFY_API_KEY", _DEV_SHOPIFY_API_KEY)
SHOPIFY_API_SECRET = _required("SHOPIFY_API_SECRET", _DEV_SHOPIFY_API_SECRET)
# The previous secret while Shopify rotates the app's client secret (verifications accept both).
SHOPIFY_API_SECRET_OLD = env.str("SHOPIFY_API_SECRET_OLD", default="")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must name at least one host when DEBUG is off.")

# Public address of this app (OAuth redirect URI, webhook addresses, links in the admin).
APP_URL = env.str("APP_URL", default="http://127.0.0.1:8000").rstrip("/")

# --- Shopify -------------------------------------------------------------------------------------
# Every OAuth and Admin API URL the app builds for a shop starts with this origin. Production:
# https://{shop}. Against the local simulator: http://127.0.0.1:8111/{shop}.
SHOPIFY_ORIGIN_TEMPLATE = env.str("SHOPIFY_ORIGIN_TEMPLATE", default="https://{shop}")
SHOPIFY_API_VERSION = env.str("SHOPIFY_API_VERSION", default="2026-07")
# What the app asks for (shopify.app.toml); pushing needs only SHOPIFY_PUSH_SCOPES, the fulfilment
# features the rest (a shop that has not approved them yet keeps pushing).
SHOPIFY_SCOPES = env.list(
    "SHOPIFY_SCOPES",
    default=[
        "read_products",
        "write_orders",
        "read_orders",
        "read_fulfillments",
        "write_merchant_managed_fulfillment_orders",
        "write_order_edits",  # items changed in BackerKit after the push (order editing)
    ],
)
SHOPIFY_PUSH_SCOPES = ["read_products", "write_orders", "read_orders"]
# Where the merchant lands after install: the app inside the Shopify admin ({store}: the shop's
# name, {shop}: its domain, {api_key}). The demo points it at the simulator's admin frame.
SHOPIFY_ADMIN_URL_TEMPLATE = env.str(
    "SHOPIFY_ADMIN_URL_TEMPLATE", default="https://admin.shopify.com/store/{store}/apps/{api_key}"
)
# A token used within this many seconds of its expiry is refreshed first.
SHOPIFY_TOKEN_REFRESH_MARGIN_SECONDS = env.int("SHOPIFY_TOKEN_REFRESH_MARGIN_SECONDS", default=300)
# The beat task refreshes tokens expiring within this many seconds.
SHOPIFY_TOKEN_REFRESH_AHEAD_SECONDS = env.int("SHOPIFY_TOKEN_REFRESH_AHEAD_SECONDS", default=900)
# The shared cost-bucket mirror keeps this many seconds of restore in hand (integrations/shopify/rate_limit.py).
SHOPIFY_BUCKET_RESERVE_SECONDS = env.float("SHOPIFY_BUCKET_RESERVE_SECONDS", default=0.5)
# A webhook triggered longer ago than this is refused (shopapp/webhooks/payloads.py). Shopify retries
# a delivery 8 times over 4 hours, so nothing genuine is older than 4 h: 4 h + 1 h for clocks and queues.
WEBHOOK_MAX_AGE_SECONDS = env.int("WEBHOOK_MAX_AGE_SECONDS", default=5 * 3600)
# (connect, read) seconds on every call to Shopify.
SHOPIFY_TIMEOUT = (env.float("SHOPIFY_CONNECT_TIMEOUT", default=3.05), env.float("SHOPIFY_READ_TIMEOUT", default=30.0))

# Fernet keys for tokens and customers' personal data at rest, newest first. Rotation: put a new
# key in front, run `manage.py rotate_encryption_keys`, then drop the old key.
ENCRYPTION_KEYS = env.list("ENCRYPTION_KEYS", default=[])
if not ENCRYPTION_KEYS and not DEBUG:
    raise ImproperlyConfigured("ENCRYPTION_KEYS must hold at least one Fernet key when DEBUG is off.")

# Keys of the customer digest (an HMAC of the email that finds a customer's records for
# customers/redact and customers/data_request without storing the email), newest first: the first
# computes, every one is matched. Its own secret, so rotating SECRET_KEY (or ENCRYPTION_KEYS, once
# this is set) never makes a customer unfindable. Rotation: put a new key first, run
# `manage.py rotate_customer_digests`, keep the old key listed (records whose email is already
# erased keep their old digest). Unset: one key derived from each ENCRYPTION_KEYS key (a deployment
# from before this setting starts unchanged); in DEBUG without those, one derived from SECRET_KEY.
CUSTOMER_DIGEST_KEYS = env.list("CUSTOMER_DIGEST_KEYS", default=[]) or [
    hmac.new(secret.encode(), b"customer-digest-key", hashlib.sha256).hexdigest()
    for secret in (ENCRYPTION_KEYS or ([SECRET_KEY] if DEBUG else []))
]
if not CUSTOMER_DIGEST_KEYS:
    raise ImproperlyConfigured("CUSTOMER_DIGEST_KEYS (or ENCRYPTION_KEYS) must be set when DEBUG is off.")

# --- BackerKit -----------------------------------------------------------------------------------
BACKERKIT_API_URL = env.str("BACKERKIT_API_URL", default="https://api.backerkit.com")
BACKERKIT_TIMEOUT = (
    env.float("BACKERKIT_CONNECT_TIMEOUT", default=3.05),
    env.float("BACKERKIT_READ_TIMEOUT", default=30.0),
)
# Orders asked for per page of a pull (the contract allows 1-500).
BACKERKIT_PAGE_SIZE = env.int("BACKERKIT_PAGE_SIZE", default=100)
# A pull BackerKit did not answer (5xx, timeout) is tried again after this many seconds, doubling
# with each failure in a row up to the maximum (jittered down to half: pulls do not retry in step).
BACKERKIT_PULL_BACKOFF_SECONDS = env.float("BACKERKIT_PULL_BACKOFF_SECONDS", default=10.0)
BACKERKIT_PULL_BACKOFF_MAX_SECONDS = env.float("BACKERKIT_PULL_BACKOFF_MAX_SECONDS", default=900.0)

# --- Django --------------------------------------------------------------------------------------
INSTALLED_APPS = [
    # Django admin, for superusers only (shopapp/staff/admin_site.py).
    "shopapp.staff.admin_config.SuperuserAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "shopapp",
    "integrations.shopify",
    "integrations.shops",
    "integrations.backerkit",
    "integrations.orders",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): the staff login's second factor (django-otp).
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # No XFrameOptionsMiddleware: the Shopify admin frames the embedded pages, which carry a CSP
    # frame-ancestors header for their shop; every other response gets 'none' and DENY there
    # (shopapp/frame_protection.py).
    "shopapp.frame_protection.FrameAncestorsMiddleware",
    # Last, as django-axes requires: turns a locked-out login into its lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "shopapp.urls"
WSGI_APPLICATION = "shopapp.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default: web threads and in-process tasks write at once. WAL lets readers go
    # on during a write; IMMEDIATE transactions queue writers instead of failing them.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 30,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG

LOGIN_URL = "/staff/login/"

# --- Staff logins (the Success reps' console and Django admin; merchants never log in here) -------
# django-axes: the backend refuses a locked-out username before the password is even checked.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
# After this many failed logins in a row a username is locked out for STAFF_LOCKOUT_MINUTES (a
# superuser unlocks it sooner: `manage.py axes_reset_username NAME`). By username only: behind the
# platform's router every client may share one address, so an address lockout would lock out everyone.
AXES_FAILURE_LIMIT = env.int("STAFF_LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("STAFF_LOCKOUT_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = ["username"]
# axes.W006 says the lockout should include the address; see above why it does not here.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "shopapp/staff/locked_out.html"
# Axes' own log lines off: staff.login_failed / staff.login_locked_out say it (shopapp/staff/login_events.py).
AXES_VERBOSE = False
# A staff session lasts hours, not Django's two weeks: a lost laptop's session ends the same day.
SESSION_COOKIE_AGE = env.int("STAFF_SESSION_SECONDS", default=8 * 3600)
SESSION_COOKIE_HTTPONLY = True
# TOTP second factor (django-otp): a rep with a confirmed authenticator device always gives its code.
# With STAFF_REQUIRE_TOTP on, a rep without one cannot log in at all (enrol with
# `manage.py enrol_staff_totp NAME`). Default: on in production, off in DEBUG (the demo).
STAFF_REQUIRE_TOTP = env.bool("STAFF_REQUIRE_TOTP", default=not DEBUG)
OTP_TOTP_ISSUER = "BackerKit Shopify orders"

# --- Production safety ---------------------------------------------------------------------------
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# --- Celery --------------------------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL and not REDIS_URL.startswith(("redis://", "rediss://")):
    # The broker transport (below) and the app's own Redis clients speak plain Redis only.
    raise ImproperlyConfigured("REDIS_URL must be a redis:// or rediss:// URL (no sentinel, socket or failover list).")
# Without a broker (the embedded default) the very same tasks run off the request in a local worker
# inside the process: a thread pool and beat's schedule on kombu's in-memory transport
# (integrations/orders/local_worker.py). Never eager: a Push click must not become a request that
# pushes for minutes.
LOCAL_WORKER = not REDIS_URL
LOCAL_WORKER_THREADS = env.int("LOCAL_WORKER_THREADS", default=4)
CELERY_TASK_ALWAYS_EAGER = False
CELERY_TASK_EAGER_PROPAGATES = True
# "memory://localhost": the in-memory transport (the host spares kombu's warning about a URL without one).
CELERY_BROKER_URL = REDIS_URL or "memory://localhost"
# Redis, with a fix that keeps workers alive when Redis restarts (shopapp/broker.py).
CELERY_BROKER_TRANSPORT = "shopapp.broker:Transport" if REDIS_URL else None
if REDIS_URL.startswith("rediss://"):
    # The transport is named by its class, so kombu no longer infers TLS from the URL's scheme.
    CELERY_BROKER_USE_SSL = {
        "ssl_cert_reqs": ssl.CERT_REQUIRED if env.bool("REDIS_TLS_VERIFY", default=True) else ssl.CERT_NONE
    }
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
# Celery's Django fixup closes the worker thread's database connections around every task unless
# this is set; shopapp/celery.py closes only those past CONN_MAX_AGE or broken, as Django does for
# requests. Large: the fixup then closes a thread's connection only once per so many tasks.
CELERY_DB_REUSE_MAX = 1_000_000
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Redis redelivers an unacked task after this many seconds; longer than any task may run.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)}
if LOCAL_WORKER:
    # The in-memory queue is polled: a tenth of a second between polls keeps a click's answer quick.
    CELERY_BROKER_TRANSPORT_OPTIONS["polling_interval"] = 0.1
CELERY_BEAT_SCHEDULE: dict = {
    "worker-heartbeat": {"task": "shopapp.record_worker_heartbeat", "schedule": 60.0},
}

# --- Logging: one JSON line per event, secrets scrubbed (shopapp/logging.py) ---------------------
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "shopapp.logging.RedactSecretsFilter"}},
    "formatters": {"json": {"()": "shopapp.logging.JsonFormatter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json", "filters": ["redact"]}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # Django's own plain-text console and mail handlers would print every django.* warning a
        # second time beside the JSON line (in DEBUG, as the demo runs): one handler, the JSON one.
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.server": {"handlers": [], "level": "INFO", "propagate": True},
        "django.db.backends": {"level": "WARNING"},
        "httpx": {"level": "WARNING"},
        "httpcore": {"level": "WARNING"},
    },
}

# --- The push ------------------------------------------------------------------------------------
# Concurrent push lanes per shop (each holds one request to Shopify in flight at a time). Shopify
# answers in 100-300 ms, so Plus limits (~100 orders/s) need tens of requests in flight. At most:
# a slower bucket runs only the lanes that keep it busy (services/lane_sizing.py: 20 on Standard).
PUSH_LANES_PER_SHOP = env.int("PUSH_LANES_PER_SHOP", default=32)
# Records one lane claims at a time, at most (their SKUs are resolved to variants in one query); on
# a slow bucket less, so that the lanes together hold ~8 s of calls (services/lane_sizing.py).
PUSH_BATCH_SIZE = env.int("PUSH_BATCH_SIZE", default=25)
# A lane works this long, then hands its worker slot back (fairness between shops: another shop's
# lane waits at most this long for a thread a big push holds). Each run pays its task, slot, shop,
# claim and next-due query: at 10 s that was ~0.8 ms of the workers' CPU per order on a Plus push
# (benchmarks/cost_per_order.py, README "Sixth round"); 20 s halves it.
PUSH_LANE_BUDGET_SECONDS = env.float("PUSH_LANE_BUDGET_SECONDS", default=20.0)
# A claimed record whose lane went silent this long is taken back by the sweeper.
PUSH_CLAIM_LEASE_SECONDS = env.int("PUSH_CLAIM_LEASE_SECONDS", default=120)
# After an ambiguous send, an order not found by search is resent only after this long
# (Shopify's search index lags behind writes).
PUSH_SEARCH_GRACE_SECONDS = env.float("PUSH_SEARCH_GRACE_SECONDS", default=60.0)
# Transient failures are retried with exponential backoff and jitter, at most this many attempts.
PUSH_MAX_ATTEMPTS = env.int("PUSH_MAX_ATTEMPTS", default=8)
# Lanes applying BackerKit changes to pushed orders, per shop (one while orders wait to be pushed).
CHANGE_LANES_PER_SHOP = env.int("CHANGE_LANES_PER_SHOP", default=4)
# How long the SKU -> variant cache is trusted.
VARIANT_CACHE_SECONDS = env.int("VARIANT_CACHE_SECONDS", default=600)
# Customers' personal data is erased this many days after its order became final (pushed, failed,
# needing attention) or went stale (pending or paused, nothing happened to it for as long).
PERSONAL_DATA_RETENTION_DAYS = env.int("PERSONAL_DATA_RETENTION_DAYS", default=30)
# A customer's data-request export is erased this many days after it was made (the merchant hands
# it over within Shopify's 30 days).
DATA_REQUEST_EXPORT_DAYS = env.int("DATA_REQUEST_EXPORT_DAYS", default=30)
# Lane crashes in a row (errors about the shop, not one order) before the shop's push is held
# for a rep; the shop backs off this many seconds after the first, doubling after each.
PUSH_MAX_LANE_CRASHES = env.int("PUSH_MAX_LANE_CRASHES", default=5)
PUSH_CRASH_BACKOFF_SECONDS = env.float("PUSH_CRASH_BACKOFF_SECONDS", default=10.0)
# How often a shop Shopify froze (402) or locked (423) is asked again whether it is open (seconds).
PUSH_HOLD_CHECK_SECONDS = env.float("PUSH_HOLD_CHECK_SECONDS", default=180.0)
# How often the sweeper looks for work that lost its message (seconds).
PUSH_SWEEP_INTERVAL_SECONDS = env.float("PUSH_SWEEP_INTERVAL_SECONDS", default=30.0)
# The bulk road (integrations/orders/services/bulk_road.py): how often active bulk operations are
# polled (the finish webhook is not guaranteed) and shops offered a chunk (seconds).
BULK_TICK_SECONDS = env.float("BULK_TICK_SECONDS", default=5.0)
# How often BackerKit connections are pulled for locked orders (seconds).
BACKERKIT_PULL_INTERVAL_SECONDS = env.int("BACKERKIT_PULL_INTERVAL_SECONDS", default=300)

# --- Shipments back to BackerKit (the outbox, the reconciliation) --------------------------------
# BackerKit not answering a write pauses the connection's outbox (services/shipment_pause.py): one
# probe after this, doubling after each failed probe, capped (BackerKit back: its shipments leave
# within the cap), jittered; no event spends a try.
SHIPMENT_BACKOFF_SECONDS = env.float("SHIPMENT_BACKOFF_SECONDS", default=5.0)
SHIPMENT_BACKOFF_MAX_SECONDS = env.float("SHIPMENT_BACKOFF_MAX_SECONDS", default=60.0)
# Once it answers again, the waiting events are sent this many at a time, the next batch when
# fewer than this many of the last are still unsent, checked this often (seconds).
SHIPMENT_RESUME_BATCH = env.int("SHIPMENT_RESUME_BATCH", default=25)
SHIPMENT_RESUME_PAUSE_SECONDS = env.float("SHIPMENT_RESUME_PAUSE_SECONDS", default=0.25)
# The sweep sends waiting events whose message was lost, once they waited this long untouched.
SHIPMENT_SWEEP_INTERVAL_SECONDS = env.float("SHIPMENT_SWEEP_INTERVAL_SECONDS", default=30.0)
SHIPMENT_SWEEP_AFTER_SECONDS = env.float("SHIPMENT_SWEEP_AFTER_SECONDS", default=20.0)
# An event claimed for sending this long ago by a worker that never finished waits again.
SHIPMENT_SEND_LEASE_SECONDS = env.float("SHIPMENT_SEND_LEASE_SECONDS", default=120.0)
# The reconciliation reads fulfilments of pushed orders updated since its last run, this often,
# spending at most this share of the shop's cost bucket (the push keeps the rest).
FULFILMENT_RECONCILE_INTERVAL_SECONDS = env.float("FULFILMENT_RECONCILE_INTERVAL_SECONDS", default=600.0)
FULFILMENT_RECONCILE_BUCKET_SHARE = env.float("FULFILMENT_RECONCILE_BUCKET_SHARE", default=0.25)
# One shop's run stops after this long (waiting for its share included); the next goes on from there.
FULFILMENT_RECONCILE_BUDGET_SECONDS = env.float("FULFILMENT_RECONCILE_BUDGET_SECONDS", default=120.0)

CELERY_BEAT_SCHEDULE.update(
    {
        "shipment-sweeper": {"task": "orders.sweep_shipments", "schedule": SHIPMENT_SWEEP_INTERVAL_SECONDS},
        "fulfilment-reconciliation": {
            "task": "orders.reconcile_fulfilments",
            "schedule": FULFILMENT_RECONCILE_INTERVAL_SECONDS,
        },
        "push-sweeper": {"task": "orders.sweep", "schedule": PUSH_SWEEP_INTERVAL_SECONDS},
        # Waves: scheduled releases on their ship date, and releases left unfinished (a worker lost).
        "waves-tick": {"task": "orders.waves_tick", "schedule": PUSH_SWEEP_INTERVAL_SECONDS},
        "push-held-shops": {"task": "orders.check_held_shops", "schedule": PUSH_HOLD_CHECK_SECONDS},
        "bulk-road": {"task": "orders.bulk_tick", "schedule": BULK_TICK_SECONDS},
        "backerkit-pull": {"task": "orders.pull_all_connections", "schedule": float(BACKERKIT_PULL_INTERVAL_SECONDS)},
        "purge-personal-data": {"task": "orders.purge_personal_data", "schedule": 3600.0},
        "expire-data-request-exports": {"task": "shopapp.expire_data_request_exports", "schedule": 3600.0},
        "refresh-expiring-tokens": {"task": "shopapp.refresh_expiring_tokens", "schedule": 300.0},
        "migrate-legacy-tokens": {"task": "shopapp.migrate_legacy_tokens", "schedule": 3600.0},
    }
)
