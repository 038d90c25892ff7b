"""Settings of the CSP storefront, all read from the environment (django-environ).

Development needs no configuration: SQLite, e-mails and the Celery broker's messages as files
under ``var/``, Partner Center is the local sandbox. Production (``DJANGO_ENV=production``)
has no default for its secrets and refuses to start without them. Every variable, its default
and whether production needs it: docs/operations.md#environment-variables.
"""

from decimal import Decimal

from csp.constants import NONE, SELF

from storefront.environment import BASE_DIR, IS_PRODUCTION, REDIS_URL, VAR_DIR, env
from storefront.settings_celery import *  # noqa: F403 - every CELERY_* setting
from storefront.settings_celery import CELERY_BEAT_SCHEDULE

# --- Core -------------------------------------------------------------------------------------

DEBUG = env.bool("DJANGO_DEBUG", default=not IS_PRODUCTION)
if IS_PRODUCTION:
    SECRET_KEY = env("SECRET_KEY")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
else:
    SECRET_KEY = env(
        "SECRET_KEY", default="development-only-key-never-used-in-production-0123456789"
    )
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# Where the storefront is reached, for links that leave it (the staff alert's admin link): an
# e-mail has no request to take the host from. Production defaults to its first served host.
_first_host = next((h.lstrip(".") for h in ALLOWED_HOSTS if h.strip(".*")), "localhost")
SITE_URL = env(
    "SITE_URL",
    default=f"https://{_first_host}" if IS_PRODUCTION else "http://127.0.0.1:8000",
).rstrip("/")

# Key for secrets stored encrypted at rest (refresh token, msal cache, new tenants' admin
# passwords). Production must set its own; development derives one from SECRET_KEY.
FIELD_ENCRYPTION_KEY = (
    env("FIELD_ENCRYPTION_KEY") if IS_PRODUCTION else env("FIELD_ENCRYPTION_KEY", default="")
)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "csp",
    "axes",
    "django_ratelimit",
    # Bottom to top: each app imports only the ones above it in this list (docs/architecture.md).
    "storefront",
    "partnercenter",
    "notifications",
    "resellers",
    "catalog",
    "tenants",
    "checkout",
    "orders",
    "purchase",
    "subscriptions",
]

MIDDLEWARE = [
    "storefront.middleware.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "storefront.middleware.UserLanguageMiddleware",
    "storefront.middleware.ResellerRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "storefront.urls"
WSGI_APPLICATION = "storefront.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "storefront.context_processors.storefront",
                "checkout.context_processors.cart",
            ],
        },
    },
]

SILENCED_SYSTEM_CHECKS: list[str] = []
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite (make run) cannot enforce a unique cart line per (plan, base line) with NULLs equal;
    # the cart service merges such lines under a row lock anyway, and PostgreSQL enforces it.
    SILENCED_SYSTEM_CHECKS.append("models.W047")
    # Several writers (the site's threads, the worker, beat): readers never block the writer
    # (WAL), and every transaction takes the write lock when it begins (IMMEDIATE), so a second
    # writer waits up to the timeout instead of failing with "database is locked" when a
    # transaction that read first tries to write.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": env.float("SQLITE_BUSY_TIMEOUT_SECONDS", default=20),
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    if not IS_PRODUCTION:
        # One process in development (make run): its local memory counts the rate limits
        # right. Production needs REDIS_URL, shared by every process: the check says so.
        SILENCED_SYSTEM_CHECKS.append("django_ratelimit.E003")
# django-ratelimit counts with the cache's atomic increment; it lists django-redis but not
# Django's own RedisCache, whose increment is Redis' INCR, atomic too.
SILENCED_SYSTEM_CHECKS.append("django_ratelimit.W001")

# --- Accounts ---------------------------------------------------------------------------------

AUTH_USER_MODEL = "storefront.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Password guessing: lock the (user, address) pair after AXES_FAILURE_LIMIT failures, and the
# account itself, from every address, after AXES_ACCOUNT_FAILURE_LIMIT failures from any mix of
# addresses (storefront.signin.AccountLockoutHandler), both for AXES_COOLOFF_HOURS.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_ACCOUNT_FAILURE_LIMIT = env.int("AXES_ACCOUNT_FAILURE_LIMIT", default=20)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=1.0)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_HANDLER = "storefront.signin.AccountLockoutHandler"
# The client's address (django-ipware): REMOTE_ADDR, unless a proxy in front sets
# X-Forwarded-For (README, "Behind a proxy"). Rate limits use the same address.
AXES_IPWARE_META_PRECEDENCE_ORDER = tuple(
    env.list("AXES_IPWARE_META_PRECEDENCE_ORDER", default=["REMOTE_ADDR"])
)
AXES_IPWARE_PROXY_ORDER = env("AXES_IPWARE_PROXY_ORDER", default="left-most")
AXES_IPWARE_PROXY_COUNT = (
    int(env("AXES_IPWARE_PROXY_COUNT")) if env("AXES_IPWARE_PROXY_COUNT", default="") else None
)
AXES_IPWARE_PROXY_TRUSTED_IPS = env.list("AXES_IPWARE_PROXY_TRUSTED_IPS", default=[]) or None
# django-ratelimit counts on the default cache (Redis in production), by the same address.
RATELIMIT_IP_META_KEY = "storefront.ratelimits.client_ip"
# The sign-in form posts the e-mail as "username" (Django's AuthenticationForm).
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "storefront.signin.axes_username"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

# --- Internationalisation ---------------------------------------------------------------------

LANGUAGE_CODE = "it"
LANGUAGES = [("it", "Italiano"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Rome"
# Each language's own date formats (storefront/formats/<language>/formats.py).
FORMAT_MODULE_PATH = ["storefront.formats"]
USE_I18N = True
USE_TZ = True

# --- Static files -----------------------------------------------------------------------------

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Served at the site's root by WhiteNoise: /favicon.ico, which browsers ask for on every page
# without a <link rel="icon"> (the admin's).
WHITENOISE_ROOT = BASE_DIR / "static" / "root"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- E-mail -----------------------------------------------------------------------------------

if env("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = VAR_DIR / "mail"
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="CSP Storefront <noreply@storefront.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
SUPPORT_EMAIL = env("SUPPORT_EMAIL", default="supporto.csp@storefront.local")
STAFF_ALERT_EMAILS = env.list("STAFF_ALERT_EMAILS", default=["staff@storefront.local"])

# --- Celery (the broker, task defaults and beat's schedule: storefront/settings_celery.py) -------

CELERY_TIMEZONE = TIME_ZONE


# --- Partner Center ---------------------------------------------------------------------------

PARTNER_CENTER_SANDBOX_PORT = env.int("PARTNER_CENTER_SANDBOX_PORT", default=8765)
_sandbox_url = f"https://127.0.0.1:{PARTNER_CENTER_SANDBOX_PORT}"
PARTNER_CENTER_BASE_URL = env(
    "PARTNER_CENTER_BASE_URL",
    default="https://api.partnercenter.microsoft.com" if IS_PRODUCTION else _sandbox_url,
)
# The distributor's own Azure AD tenant and app registration (README, "Partner Center").
PARTNER_CENTER_TENANT_ID = env(
    "PARTNER_CENTER_TENANT_ID",
    default="" if IS_PRODUCTION else "9171ce5b-baff-48a6-9656-c801daeb9a56",
)
PARTNER_CENTER_CLIENT_ID = env(
    "PARTNER_CENTER_CLIENT_ID", default="" if IS_PRODUCTION else "sandbox-client-id"
)
PARTNER_CENTER_CLIENT_SECRET = env(
    "PARTNER_CENTER_CLIENT_SECRET", default="" if IS_PRODUCTION else "sandbox-client-secret"
)
PARTNER_CENTER_AUTHORITY_HOST = env(
    "PARTNER_CENTER_AUTHORITY_HOST",
    default="https://login.microsoftonline.com" if IS_PRODUCTION else _sandbox_url,
)
# CA bundle that signs the Partner Center endpoint: empty means the system's; in development the
# sandbox's self-signed certificate.
PARTNER_CENTER_CA_BUNDLE = env(
    "PARTNER_CENTER_CA_BUNDLE",
    default="" if IS_PRODUCTION else str(VAR_DIR / "sandbox" / "cert.pem"),
)
# Calls a minute that pages waiting for Partner Center (the wizard's checks, «Verifica
# relazione») may make together; provisioning is not counted and keeps the rest of Partner
# Center's throttling share.
PARTNER_CENTER_INTERACTIVE_CALLS_PER_MINUTE = env.int(
    "PARTNER_CENTER_INTERACTIVE_CALLS_PER_MINUTE", default=120
)
PARTNER_CENTER_CONNECT_TIMEOUT = env.float("PARTNER_CENTER_CONNECT_TIMEOUT", default=5.0)
PARTNER_CENTER_READ_TIMEOUT = env.float("PARTNER_CENTER_READ_TIMEOUT", default=30.0)
PARTNER_CENTER_INVITATION_URL_TEMPLATE = env(
    "PARTNER_CENTER_INVITATION_URL_TEMPLATE",
    default=(
        "https://admin.microsoft.com/Adminportal/Home?invType=IndirectResellerRelationship"
        "&partnerId={reseller_tenant_id}&msppId=0&indirectCSPId={distributor_tenant_id}"
        "&DAP=false#/BillingAccounts/partner-invitation"
    ),
)
# The sandbox (partnercenter_sandbox/) is a development and test stand-in; its control API is
# only mounted when it is enabled, which production never does.
PARTNER_CENTER_SANDBOX_ENABLED = env.bool("PARTNER_CENTER_SANDBOX_ENABLED", default=DEBUG)
PARTNER_CENTER_SANDBOX_DB = env(
    "PARTNER_CENTER_SANDBOX_DB", default=str(VAR_DIR / "sandbox" / "sandbox.sqlite3")
)
# With no refresh token stored, development and tests use the one the sandbox always accepts
# (partnercenter_sandbox/config.py), so that they need no setup; production stores the real one
# with ``manage.py partnercenter_set_refresh_token``.
PARTNER_CENTER_DEVELOPMENT_REFRESH_TOKEN = (
    "sandbox-refresh-token" if PARTNER_CENTER_SANDBOX_ENABLED else ""
)
if PARTNER_CENTER_SANDBOX_ENABLED:
    # Its management command (partnercenter_sandbox); nothing in production imports it.
    INSTALLED_APPS.append("partnercenter_sandbox")

# --- Commerce ---------------------------------------------------------------------------------

VAT_RATE = Decimal(env("VAT_RATE", default="0.22"))
DEFAULT_MARKUP_PERCENT = Decimal(env("DEFAULT_MARKUP_PERCENT", default="10.00"))
MPN_VALIDATION_CACHE_SECONDS = env.int("MPN_VALIDATION_CACHE_SECONDS", default=900)
# A «Domain Prefix» answer is reused this long (per reseller and prefix) by the live check and
# «Prossimo >>»; «Verifica relazione» always asks again.
PREFIX_CHECK_CACHE_SECONDS = env.int("PREFIX_CHECK_CACHE_SECONDS", default=60)
# Lookups in Partner Center a page may start (prefix, relationship, MPN ID checks), counted per
# user and per reseller (django-ratelimit rates: "20/m" is 20 a minute).
PARTNER_CENTER_LOOKUP_RATE_PER_USER = env("PARTNER_CENTER_LOOKUP_RATE_PER_USER", default="20/m")
PARTNER_CENTER_LOOKUP_RATE_PER_RESELLER = env(
    "PARTNER_CENTER_LOOKUP_RATE_PER_RESELLER", default="60/m"
)
# Password-reset e-mails asked for, per address typed and per client address.
PASSWORD_RESET_RATE_PER_EMAIL = env("PASSWORD_RESET_RATE_PER_EMAIL", default="3/h")
PASSWORD_RESET_RATE_PER_IP = env("PASSWORD_RESET_RATE_PER_IP", default="10/h")
RELATIONSHIP_WAIT_DAYS = env.int("RELATIONSHIP_WAIT_DAYS", default=14)

# --- Provisioning (orders/conf.py) ------------------------------------------------------------

ORDER_POLL_SECONDS = env.float("ORDER_POLL_SECONDS", default=15)
ORDER_RETRY_BASE_SECONDS = env.float("ORDER_RETRY_BASE_SECONDS", default=5)
# Keep below the broker's visibility timeout, or a waiting task is handed to a second worker.
ORDER_RETRY_MAX_SECONDS = env.float("ORDER_RETRY_MAX_SECONDS", default=300)
# One provisioning run holds the order this long (capped at the visibility timeout), so that a
# duplicate message or a staff «Riprendi» never runs the same order twice at once.
ORDER_RUN_LEASE_SECONDS = env.float("ORDER_RUN_LEASE_SECONDS", default=180)
ORDER_MAX_TRANSIENT_FAILURES = env.int("ORDER_MAX_TRANSIENT_FAILURES", default=10)
ORDER_ACTIVATION_TIMEOUT_MINUTES = env.float("ORDER_ACTIVATION_TIMEOUT_MINUTES", default=120)
ORDER_SWEEP_AFTER_MINUTES = env.float("ORDER_SWEEP_AFTER_MINUTES", default=10)
ORDER_RELATIONSHIP_REMINDER_HOURS = env.float("ORDER_RELATIONSHIP_REMINDER_HOURS", default=24)
ORDER_SWEEP_INTERVAL_SECONDS = CELERY_BEAT_SCHEDULE["orders-sweep"]["schedule"]
ORDER_RELATIONSHIP_SCAN_SECONDS = CELERY_BEAT_SCHEDULE["orders-check-relationships"]["schedule"]
# A waiting order's relationship is checked this often at first, then less and less often
# (orders/provisioning/relationship.py): with the scan above, an accepted invitation is noticed
# within about a minute and a half during the first twenty minutes of waiting.
ORDER_RELATIONSHIP_CHECK_MIN_SECONDS = env.float("ORDER_RELATIONSHIP_CHECK_MIN_SECONDS", default=60)
ORDER_RELATIONSHIP_CHECK_MAX_SECONDS = env.float(
    "ORDER_RELATIONSHIP_CHECK_MAX_SECONDS", default=3600
)
EMAIL_MAX_RETRIES = env.int("EMAIL_MAX_RETRIES", default=8)
EMAIL_RETRY_BASE_SECONDS = env.float("EMAIL_RETRY_BASE_SECONDS", default=30)
MICROSOFT_PARTNER_SITE_URL = "https://partner.microsoft.com/it-it/"
OFFICE_PORTAL_URL = "https://portal.office.com"

# --- Browser policies -------------------------------------------------------------------------

# No inline script or style anywhere (templates load static files only), so an injected <script>
# or style attribute is refused by the browser. Bootstrap draws its form controls with data: SVGs.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
# The storefront uses none of these; «Copia» in the invitation panel writes to the clipboard.
PERMISSIONS_POLICY = {
    "accelerometer": [],
    "browsing-topics": [],
    "camera": [],
    "display-capture": [],
    "geolocation": [],
    "gyroscope": [],
    "magnetometer": [],
    "microphone": [],
    "payment": [],
    "usb": [],
    "clipboard-write": "self",
}

# --- Logging ----------------------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# --- Production hardening (``manage.py check --deploy`` passes with these) --------------------

# Behind a TLS-terminating proxy (docker-compose.yml, README "Behind a proxy"), the proxy tells
# Django the original scheme in X-Forwarded-Proto. Trusted only when one is configured: without
# a proxy that overwrites it, any client could send the header and pass for HTTPS.
BEHIND_TLS_PROXY = env.bool("BEHIND_TLS_PROXY", default=False)
if BEHIND_TLS_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

if IS_PRODUCTION:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SESSION_COOKIE_HTTPONLY = True
