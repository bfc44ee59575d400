"""Settings, all read from the environment (and `.env` when present) through django-environ."""

from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("Set SECRET_KEY (or DEBUG=true for local development).")
    SECRET_KEY = "insecure-development-key-do-not-use-in-production"

# The port `make run` serves on; the public URL follows it unless it is set.
PORT = env.int("PORT", default=8000)
PUBLIC_BASE_URL = env("PUBLIC_BASE_URL", default=f"http://127.0.0.1:{PORT}").rstrip("/")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = [PUBLIC_BASE_URL]

# --- HTTPS -------------------------------------------------------------------------------------
# Served on https (PUBLIC_BASE_URL says so): secure cookies, plain http redirected, and HSTS so
# browsers never try http again. Behind a TLS-terminating proxy, name the header the proxy sets
# (PROXY_SSL_HEADER=X-Forwarded-Proto): it is trusted only then, since anyone can send it.
HTTPS = PUBLIC_BASE_URL.startswith("https://")
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = HTTPS
PROXY_SSL_HEADER = env("PROXY_SSL_HEADER", default="")
if PROXY_SSL_HEADER:
    SECURE_PROXY_SSL_HEADER = ("HTTP_" + PROXY_SSL_HEADER.upper().replace("-", "_"), "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=HTTPS)
# Load balancers probe the processes directly, over plain http.
SECURE_REDIRECT_EXEMPT = [r"^healthz/?$", r"^readyz/?$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=365 * 24 * 3600 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
if not SECURE_HSTS_PRELOAD:
    # Preloading binds the whole registered domain for months: the operator's decision, not ours.
    SILENCED_SYSTEM_CHECKS = ["security.W021"]
# Scripts only from this server and inline ones carrying the page's nonce
# (`<script nonce="{{ request.csp_nonce }}">`); no plugins, no framing, forms post here only.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        # Inline styles are used throughout the templates; a style cannot run code.
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "worker-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    # Project-wide admin settings (mortgage_sms/admin.py), and before django_q because its
    # `qcluster` command replaces django-q2's (graceful stop, precise timers).
    "mortgage_sms",
    "django_q",
    "axes",
    "leads",
    "conversations",
    "routing",
    "nurture",
    "calls",
    "appointments",
    "integrations",
    "experiments",
    "reporting",
]

MIDDLEWARE = [
    # A database or job broker that is down is a 503 with Retry-After, not an HTML 500.
    "mortgage_sms.middleware.ServiceUnavailableMiddleware",
    "mortgage_sms.middleware.UntrustedProxyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # After WhiteNoise: static files keep their long caching, everything else is no-store.
    "mortgage_sms.middleware.NoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "mortgage_sms.errors_pages.ProductErrorPagesMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "mortgage_sms.urls"
WSGI_APPLICATION = "mortgage_sms.wsgi.application"

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
            ]
        },
    }
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and immediate transactions let the web process and the worker share the file
    # without "database is locked" errors.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / "var" / "test.sqlite3")}
# Reuse connections: django-q2 closes "old" connections before every poll and task, so with
# the default (0) the worker reconnects several times per text, which costs most on PostgreSQL.
# `?conn_max_age=` in DATABASE_URL overrides it.
DATABASES["default"].setdefault("CONN_MAX_AGE", 60)
DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Staff and officers see borrowers' personal data: long passwords that are not common ones, not
# the username, not only digits. The admin's forms and create_officer apply these.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": env.int("PASSWORD_MIN_LENGTH", default=12)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Wrong passwords (officer and admin logins): after LOGIN_FAILURE_LIMIT in a row for one username
# from one address, that pair is refused for LOGIN_LOCKOUT_MINUTES (django-axes, in the database,
# so every web process sees it). Per username and address, so a typo-prone colleague behind the
# same office address does not lock everyone out; behind a proxy every request comes from the
# proxy's address and the pause is per username.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "mortgage_sms.logins.locked_out"
LOGIN_URL = "/officer/login/"
LOGIN_REDIRECT_URL = "/officer/"

LANGUAGE_CODE = "en-us"
# The one time zone the admin, the reports and their dates are in (shown with its name).
TIME_ZONE = env("TIME_ZONE", default="America/Chicago")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
# WhiteNoise serves the apps' static files straight from their folders too, so the admin and the
# API docs have their styles and scripts without collectstatic (`DEBUG=false make run`, a deploy
# that forgot it); collected files are the same files. Re-read on every request only in DEBUG.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="leads@localhost")

# --- The company, as borrowers see it -------------------------------------------------------
COMPANY_NAME = env("COMPANY_NAME", default="Acme Home Loans")
COMPANY_NMLS_ID = env("COMPANY_NMLS_ID", default="000000")
SUPPORT_CONTACT = env("SUPPORT_CONTACT", default="support@example.com")
# A lead whose consent arrived without the disclosure text the borrower agreed to is stored but
# not texted: without the words, the consent cannot be proven. Ops may switch that off.
REQUIRE_CONSENT_TEXT = env.bool("REQUIRE_CONSENT_TEXT", default=True)

# --- SMS -------------------------------------------------------------------------------------
SMS_BACKEND = env("SMS_BACKEND", default="console")
if SMS_BACKEND not in ("console", "twilio"):
    raise ImproperlyConfigured("SMS_BACKEND must be 'console' or 'twilio'.")
TWILIO_ACCOUNT_SID = env("TWILIO_ACCOUNT_SID", default="")
TWILIO_AUTH_TOKEN = env("TWILIO_AUTH_TOKEN", default="")
TWILIO_MESSAGING_SERVICE_SID = env("TWILIO_MESSAGING_SERVICE_SID", default="")
TWILIO_FROM_NUMBER = env("TWILIO_FROM_NUMBER", default="")
# Where the twilio SDK sends its requests; only tests point it elsewhere (a local fake).
TWILIO_API_BASE_URL = env("TWILIO_API_BASE_URL", default="")
if SMS_BACKEND == "twilio":
    if not (TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN):
        raise ImproperlyConfigured("SMS_BACKEND=twilio needs TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN.")
    if not (TWILIO_MESSAGING_SERVICE_SID or TWILIO_FROM_NUMBER):
        raise ImproperlyConfigured(
            "SMS_BACKEND=twilio needs TWILIO_MESSAGING_SERVICE_SID or TWILIO_FROM_NUMBER."
        )

# Outbox retry policy for transient gateway errors.
SMS_MAX_ATTEMPTS = env.int("SMS_MAX_ATTEMPTS", default=5)
SMS_RETRY_BASE_SECONDS = env.int("SMS_RETRY_BASE_SECONDS", default=30)
# The gateway call's timeout (seconds): short on the first attempt of a text someone is waiting
# for, so a slow carrier holds a priority worker briefly (a timeout after the request went out
# leaves the text `unknown`, never re-sent); longer on retries, which run on the default lane.
SMS_FIRST_ATTEMPT_TIMEOUT_SECONDS = env.float("SMS_FIRST_ATTEMPT_TIMEOUT_SECONDS", default=4.0)
SMS_GATEWAY_TIMEOUT_SECONDS = env.float("SMS_GATEWAY_TIMEOUT_SECONDS", default=10.0)
# A row still `sending` after this long belongs to a worker that died mid-call.
SMS_SENDING_STUCK_AFTER_SECONDS = env.int("SMS_SENDING_STUCK_AFTER_SECONDS", default=300)
# Contact window in the borrower's local time, unless a state rule is stricter.
CONTACT_WINDOW_START_HOUR = env.int("CONTACT_WINDOW_START_HOUR", default=8)
CONTACT_WINDOW_END_HOUR = env.int("CONTACT_WINDOW_END_HOUR", default=21)
# How long a repeat inquiry waits before it may trigger another first text.
FIRST_CONTACT_REPEAT_AFTER_HOURS = env.int("FIRST_CONTACT_REPEAT_AFTER_HOURS", default=24)

# --- AI --------------------------------------------------------------------------------------
AI_BACKEND = env("AI_BACKEND", default="scripted")
if AI_BACKEND not in ("scripted", "claude"):
    raise ImproperlyConfigured("AI_BACKEND must be 'scripted' or 'claude'.")
ANTHROPIC_API_KEY = env("ANTHROPIC_API_KEY", default="")
ANTHROPIC_MODEL = env("ANTHROPIC_MODEL", default="claude-sonnet-4-5")
ANTHROPIC_BASE_URL = env("ANTHROPIC_BASE_URL", default="")
# The whole model call, retries included: past it the scripted agent answers the borrower.
ANTHROPIC_TIMEOUT_SECONDS = env.float("ANTHROPIC_TIMEOUT_SECONDS", default=4.0)
# "input,output,cache write,cache read" US dollars per million tokens; empty: the model's list price.
ANTHROPIC_PRICE_PER_MTOK = env.list("ANTHROPIC_PRICE_PER_MTOK", cast=float, default=[])
if AI_BACKEND == "claude" and not ANTHROPIC_API_KEY:
    raise ImproperlyConfigured("AI_BACKEND=claude needs ANTHROPIC_API_KEY.")

# --- Outbound webhooks -----------------------------------------------------------------------
WEBHOOK_ALLOW_PRIVATE_URLS = env.bool("WEBHOOK_ALLOW_PRIVATE_URLS", default=False)

# --- REST API --------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["integrations.authentication.ApiTokenAuthentication"],
    # Every view names the scope its requests need (mortgage_sms/scopes.py).
    "DEFAULT_PERMISSION_CLASSES": ["mortgage_sms.scopes.ScopeRequired"],
    # JSON only (the contract), through a parser that refuses absurdly nested bodies with a 400.
    "DEFAULT_PARSER_CLASSES": ["mortgage_sms.api.JSONParser"],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "DEFAULT_SCHEMA_CLASS": "mortgage_sms.schema.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "mortgage_sms.api.Pagination",
    "PAGE_SIZE": 50,
    # Per API client, per web process (the default cache is each process's memory).
    "DEFAULT_THROTTLE_CLASSES": ["mortgage_sms.api.ClientRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"client": env("API_RATE_LIMIT", default="1200/minute")},
    "EXCEPTION_HANDLER": "mortgage_sms.api.exception_handler",
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Mortgage SMS API",
    "DESCRIPTION": (
        "Post leads in, read their qualification, conversation and timeline, set statuses "
        "from your CRM, and subscribe to signed webhooks. Authenticate with "
        "`Authorization: Token <token>` (create one with `manage.py create_api_client NAME`)."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    # Self-hosted: the docs page loads Swagger UI from this server, not from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {"USStateEnum": "leads.choices.STATE_CHOICES"},
}

# --- Jobs (django-q2) ------------------------------------------------------------------------
# django-q2 delivers at least once: a task still unacknowledged after `retry` seconds runs
# again, so `timeout` stays below `retry` and every task claims its row before acting.
REDIS_URL = env("REDIS_URL", default="")
# Two lanes (mortgage_sms/jobs.py): `Q_CLUSTER_NAME=priority manage.py qcluster` runs what a
# borrower or an officer is waiting for, so it never waits behind retries, nurture or webhook
# deliveries on the default lane (`manage.py qcluster`). Off: one qcluster runs everything.
Q_PRIORITY_LANE = env.bool("Q_PRIORITY_LANE", default=True)
Q_PRIORITY_WORKERS = env.int("Q_PRIORITY_WORKERS", default=4)
# A task not done this long after its work was stored is taken for lost (the broker lost it,
# or never got it): the sweepers queue the work again. Tasks claim their rows, so a late one
# that arrives after all is a no-op.
JOBS_LOST_AFTER_SECONDS = env.int("JOBS_LOST_AFTER_SECONDS", default=60)
# What a 503 (database or broker down) asks clients to wait before retrying.
SERVICE_RETRY_AFTER_SECONDS = env.int("SERVICE_RETRY_AFTER_SECONDS", default=30)
Q_CLUSTER = {
    "name": "mortgage_sms",
    # Sending is mostly waiting for Twilio (a few hundred ms a call), so more workers than cores:
    # with 2, a burst of leads queues behind the API calls (docs/benchmarks.md).
    "workers": env.int("Q_WORKERS", default=4),
    # Prefetch no more than one task per worker: on Redis a task taken off the queue lives only
    # in the cluster's memory until it is done.
    "queue_limit": env.int("Q_WORKERS", default=4),
    "timeout": 60,
    "retry": 90,
    "max_attempts": 3,
    "ack_failures": True,
    "catch_up": False,
    "poll": 0.1,
    # django-q2 prunes stored successes on every task by locking and reading all of them (on
    # SQLite, under the write lock), so the cost of each task grows with save_limit. Keep the
    # last 100 of each function: each schedule's last runs stay visible in the admin.
    "save_limit": 100,
    "save_limit_per": "func",
    "label": "Jobs",
    "ALT_CLUSTERS": {
        "priority": {"workers": Q_PRIORITY_WORKERS, "queue_limit": Q_PRIORITY_WORKERS},
    },
}
if REDIS_URL:
    Q_CLUSTER["redis"] = REDIS_URL
else:
    Q_CLUSTER["orm"] = "default"
    # django-q2's database broker, its enqueue (one per lead, in the POST) as SQL built once.
    Q_CLUSTER["broker_class"] = "mortgage_sms.broker.DatabaseBroker"
# Tests run tasks inline (after django-q2's own pickle round trip).
Q_CLUSTER["sync"] = env.bool("Q_SYNC", default=False)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Phone numbers are masked in every line, whoever logs it (mortgage_sms/privacy.py).
    "formatters": {
        "plain": {
            "()": "mortgage_sms.privacy.MaskingFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
        }
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # Failures and lockouts (warnings); every login is in the admin's access log already.
        "axes": {"level": "WARNING"},
        # The twilio SDK logs every request's headers at INFO: a dozen lines (and their CPU) per text.
        "twilio.http_client": {"level": "WARNING"},
    },
}
# Error e-mails to ADMINS name the POST fields of the failed request, never their values.
DEFAULT_EXCEPTION_REPORTER_FILTER = "mortgage_sms.privacy.PrivacyExceptionReporterFilter"

# --- Integrations: outbound webhooks and CRM connectors -----------------------------------------
# Waits between delivery attempts (the first goes at once): 8 attempts over about 28 hours.
WEBHOOK_RETRY_SCHEDULE_SECONDS = env.list(
    "WEBHOOK_RETRY_SCHEDULE_SECONDS", cast=int, default=[5, 300, 1800, 7200, 18000, 36000, 36000]
)
WEBHOOK_TIMEOUT_SECONDS = env.float("WEBHOOK_TIMEOUT_SECONDS", default=10.0)
# An endpoint that has failed without a single success for this long is switched off.
WEBHOOK_DISABLE_AFTER_DAYS = env.int("WEBHOOK_DISABLE_AFTER_DAYS", default=5)
# Finished events (and their delivery logs) are kept this long, then purged.
WEBHOOK_RETENTION_DAYS = env.int("WEBHOOK_RETENTION_DAYS", default=30)
CRM_TIMEOUT_SECONDS = env.float("CRM_TIMEOUT_SECONDS", default=10.0)
# Credentials used when a CRM integration in the admin leaves them blank.
HUBSPOT_ACCESS_TOKEN = env("HUBSPOT_ACCESS_TOKEN", default="")
SALESFORCE_INSTANCE_URL = env("SALESFORCE_INSTANCE_URL", default="")
SALESFORCE_ACCESS_TOKEN = env("SALESFORCE_ACCESS_TOKEN", default="")
SALESFORCE_CLIENT_ID = env("SALESFORCE_CLIENT_ID", default="")
SALESFORCE_CLIENT_SECRET = env("SALESFORCE_CLIENT_SECRET", default="")
SALESFORCE_API_VERSION = env("SALESFORCE_API_VERSION", default="62.0")
# Where the hubspot SDK sends its requests; only tests point it elsewhere (a local fake).
HUBSPOT_API_BASE_URL = env("HUBSPOT_API_BASE_URL", default="")
# Total Expert: with a client id set, the connector is active for every event (an integration
# using these credentials is created on the first event). Secrets set here are only ever sent to
# this base URL, never to one typed into the admin.
TOTAL_EXPERT_CLIENT_ID = env("TOTAL_EXPERT_CLIENT_ID", default="")
TOTAL_EXPERT_CLIENT_SECRET = env("TOTAL_EXPERT_CLIENT_SECRET", default="")
TOTAL_EXPERT_API_BASE_URL = env("TOTAL_EXPERT_API_BASE_URL", default="https://public.totalexpert.net").rstrip(
    "/"
)
if TOTAL_EXPERT_CLIENT_ID and not TOTAL_EXPERT_CLIENT_SECRET:
    raise ImproperlyConfigured("TOTAL_EXPERT_CLIENT_ID is set: set TOTAL_EXPERT_CLIENT_SECRET too.")
# Ops alerts (an endpoint switched off, CRM credentials refused) go to these addresses.
ADMINS = [(address, address) for address in env.list("ADMINS", default=[])]
MANAGERS = ADMINS
SERVER_EMAIL = env("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)

# --- Qualification agent ---------------------------------------------------------------------
# An SMS reply should not wait long: one quick retry of a 529/5xx, then the scripted agent.
ANTHROPIC_MAX_RETRIES = env.int("ANTHROPIC_MAX_RETRIES", default=0)

# --- Routing ---------------------------------------------------------------------------------
# How long an officer has to claim an offered lead before it moves on (a rule may override it).
ROUTING_OFFER_SECONDS = env.int("ROUTING_OFFER_SECONDS", default=300)
# Who hears about a lead that nobody can be offered (ops queue): emails and mobile numbers.
ROUTING_OPS_EMAILS = env.list("ROUTING_OPS_EMAILS", default=[])
ROUTING_OPS_PHONES = env.list("ROUTING_OPS_PHONES", default=[])

# --- The officer's day: reply alerts, reminders, web push -------------------------------------
# At most one alert per thread this often: texts that arrive meanwhile go in the next one.
ALERT_BATCH_MINUTES = env.int("ALERT_BATCH_MINUTES", default=3)
# A borrower unanswered this long reminds their officer; this long tells ops.
OFFICER_REMIND_MINUTES = env.int("OFFICER_REMIND_MINUTES", default=15)
OFFICER_ESCALATE_MINUTES = env.int("OFFICER_ESCALATE_MINUTES", default=60)
# Web Push (VAPID). Without keys the officer pages offer no browser notifications;
# `manage.py generate_vapid_keys` prints a pair for .env.
VAPID_PUBLIC_KEY = env("VAPID_PUBLIC_KEY", default="")
VAPID_PRIVATE_KEY = env("VAPID_PRIVATE_KEY", default="")
VAPID_SUBJECT = env("VAPID_SUBJECT", default="mailto:ops@localhost")

# --- Calls (Twilio Voice) -----------------------------------------------------------------------
# The shared number calls come from (a Messaging Service has no number of its own).
TWILIO_VOICE_NUMBER = env("TWILIO_VOICE_NUMBER", default="") or TWILIO_FROM_NUMBER
# Recording is off; when on, both parties hear that the call is recorded (two-party consent).
CALL_RECORDING = env.bool("CALL_RECORDING", default=False)

# --- Appointments -----------------------------------------------------------------------------
APPOINTMENT_MINUTES = env.int("APPOINTMENT_MINUTES", default=30)
# Slots offered start at least this long from now, and at most this many days ahead.
APPOINTMENT_NOTICE_MINUTES = env.int("APPOINTMENT_NOTICE_MINUTES", default=60)
APPOINTMENT_DAYS_AHEAD = env.int("APPOINTMENT_DAYS_AHEAD", default=5)

# --- Nurture and contact windows -------------------------------------------------------------
# US federal holidays (and their observed days) get no scheduled texts.
CONTACT_WINDOW_SKIP_FEDERAL_HOLIDAYS = env.bool("CONTACT_WINDOW_SKIP_FEDERAL_HOLIDAYS", default=True)
# The dispatcher runs every minute; one run stops taking new batches after this many seconds,
# well below the django-q2 task timeout, and the next run goes on where it stopped.
NURTURE_DISPATCH_BATCH_SIZE = env.int("NURTURE_DISPATCH_BATCH_SIZE", default=100)
NURTURE_DISPATCH_BUDGET_SECONDS = env.int("NURTURE_DISPATCH_BUDGET_SECONDS", default=40)
# A CSV import's task works this long, then queues the rest (below the workers' 60 s timeout).
REENGAGEMENT_IMPORT_BUDGET_SECONDS = env.int("REENGAGEMENT_IMPORT_BUDGET_SECONDS", default=40)
# While texts are paused (a contact rule's emergency switch), due steps are looked at again
# after this long.
NURTURE_PAUSE_RECHECK_MINUTES = env.int("NURTURE_PAUSE_RECHECK_MINUTES", default=15)

# --- Conversations: replies outside a live conversation ------------------------------------
# A reply or an officer's introduction goes at any hour while the borrower has texted within
# this many minutes; later ones wait for the borrower's contact window.
REPLY_LIVE_MINUTES = env.int("REPLY_LIVE_MINUTES", default=60)
# Texts within this many seconds of each other are answered once, together (a burst).
CONVERSATION_BURST_SECONDS = env.float("CONVERSATION_BURST_SECONDS", default=3.0)
# A borrower silent mid-qualification is nudged after these hours (once each), then left to nurture.
CONVERSATION_NUDGE_AFTER_HOURS = env.list("CONVERSATION_NUDGE_AFTER_HOURS", cast=float, default=[4.0, 24.0])
