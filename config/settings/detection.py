"""Detection settings: the schedule, each rule's thresholds, alert e-mail, auto-suspend.

Imported at the end of ``base.py`` (it reads the environment through base's
strict helpers). Every threshold is documented with its rule in
docs/detection.md; the environment variable has the setting's name.
"""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured

from .env import DEBUG, VAR_DIR, env, env_bool, env_secret


def _positive_int(name: str, default: int) -> int:
    value = env.int(name, default=default)
    if value < 1:
        raise ImproperlyConfigured(f"{name} must be a positive integer, not {value}.")
    return value


def _fraction(name: str, default: float) -> float:
    value = env.float(name, default=default)
    if not 0 < value < 1:
        raise ImproperlyConfigured(f"{name} must be between 0 and 1 (exclusive), not {value}.")
    return value


# --- Jobs ---------------------------------------------------------------------------
# How often beat sends the detection tasks (seconds).
DETECTION_SCHEDULE_SECONDS = _positive_int("DETECTION_SCHEDULE_SECONDS", 60)
# Ledger entries one task examines per transaction: a backlog (after an outage)
# is worked off in steps, each committing its alerts and watermark together.
DETECTION_CHUNK_ENTRIES = _positive_int("DETECTION_CHUNK_ENTRIES", 200_000)
# At most this many ledger references are kept on one alert (the numbers keep the count).
DETECTION_EVIDENCE_MAX_ENTRIES = _positive_int("DETECTION_EVIDENCE_MAX_ENTRIES", 100)
# PostgreSQL settings for a detection step's transaction only (SET LOCAL). The rules'
# grouped queries look expensive to the planner, whose JIT then spends longer compiling
# than the query runs (0.85 of 1.2 s measured); their COUNT(DISTINCT) sorts spill to
# disk at the stock work_mem of 4MB. See docs/performance.md.
DETECTION_POSTGRES_SETTINGS = {
    "jit": env.str("DETECTION_POSTGRES_JIT", default="off"),
    "work_mem": env.str("DETECTION_POSTGRES_WORK_MEM", default="32MB"),
}

# --- volume_spike: hourly and daily counts against a robust baseline --------------------
DETECTION_VOLUME_BASELINE_DAYS = _positive_int("DETECTION_VOLUME_BASELINE_DAYS", 28)
# Fewer days of the subject's own history than this: no judgement yet.
DETECTION_VOLUME_MIN_HISTORY_DAYS = _positive_int("DETECTION_VOLUME_MIN_HISTORY_DAYS", 7)
# Fires above median + K x max(1.4826 x MAD, floor).
DETECTION_VOLUME_MADS = env.float("DETECTION_VOLUME_MADS", default=6.0)
DETECTION_VOLUME_HOURLY_FLOOR = env.float("DETECTION_VOLUME_HOURLY_FLOOR", default=3.0)
DETECTION_VOLUME_DAILY_FLOOR = env.float("DETECTION_VOLUME_DAILY_FLOOR", default=10.0)
# ...and only when the count reaches this minimum.
DETECTION_VOLUME_HOURLY_MIN_COUNT = _positive_int("DETECTION_VOLUME_HOURLY_MIN_COUNT", 30)
DETECTION_VOLUME_DAILY_MIN_COUNT = _positive_int("DETECTION_VOLUME_DAILY_MIN_COUNT", 150)
# A count at least this many times the threshold is high, not medium.
DETECTION_VOLUME_HIGH_FACTOR = env.float("DETECTION_VOLUME_HIGH_FACTOR", default=2.0)

# --- Violations found on arrival (out_of_scope_access, access_without_session,
# daily_cap_exceeded, suspended_partner_activity): distinct residents in the day.
DETECTION_VIOLATIONS_MEDIUM_RESIDENTS = _positive_int("DETECTION_VIOLATIONS_MEDIUM_RESIDENTS", 5)
DETECTION_VIOLATIONS_HIGH_RESIDENTS = _positive_int("DETECTION_VIOLATIONS_HIGH_RESIDENTS", 20)

# --- Sessions -----------------------------------------------------------------------------
# Distinct residents read within one session (a session is one resident).
DETECTION_SESSION_MANY_RESIDENTS = _positive_int("DETECTION_SESSION_MANY_RESIDENTS", 3)
DETECTION_SESSION_MANY_RESIDENTS_HIGH = _positive_int("DETECTION_SESSION_MANY_RESIDENTS_HIGH", 10)
# A session is "too short" below this fraction of the partner's usual (mean) duration
# (previous DETECTION_VOLUME_BASELINE_DAYS days; DETECTION_SESSION_TYPICAL_SECONDS
# when it has fewer than DETECTION_SESSION_MIN_HISTORY closed sessions).
DETECTION_SESSION_SHORT_FRACTION = _fraction("DETECTION_SESSION_SHORT_FRACTION", 0.2)
DETECTION_SESSION_TYPICAL_SECONDS = _positive_int("DETECTION_SESSION_TYPICAL_SECONDS", 600)
DETECTION_SESSION_MIN_HISTORY = _positive_int("DETECTION_SESSION_MIN_HISTORY", 30)
# Short sessions of one agent in one day before it fires, and before it is high.
DETECTION_SESSION_SHORT_MIN_COUNT = _positive_int("DETECTION_SESSION_SHORT_MIN_COUNT", 5)
DETECTION_SESSION_SHORT_HIGH_COUNT = _positive_int("DETECTION_SESSION_SHORT_HIGH_COUNT", 20)

# --- Accounts -----------------------------------------------------------------------------
# An account opened (or an identity bound) this many minutes before a session
# opened or after it closed is "near" it.
DETECTION_NEAR_SESSION_MINUTES = _positive_int("DETECTION_NEAR_SESSION_MINUTES", 60)
# Near-session accounts of one agent's residents in one day before it fires / is high.
DETECTION_NEAR_SESSION_MIN_ACCOUNTS = _positive_int("DETECTION_NEAR_SESSION_MIN_ACCOUNTS", 2)
DETECTION_NEAR_SESSION_HIGH_ACCOUNTS = _positive_int("DETECTION_NEAR_SESSION_HIGH_ACCOUNTS", 5)
# Accounts of one resident counted over this many days.
DETECTION_ACCOUNTS_PER_RESIDENT_DAYS = _positive_int("DETECTION_ACCOUNTS_PER_RESIDENT_DAYS", 30)
# Residents with more than one account, among one platform's new accounts of a day.
DETECTION_ACCOUNTS_PER_RESIDENT_MIN = _positive_int("DETECTION_ACCOUNTS_PER_RESIDENT_MIN", 2)
DETECTION_ACCOUNTS_PER_RESIDENT_HIGH = _positive_int("DETECTION_ACCOUNTS_PER_RESIDENT_HIGH", 10)
# Shared devices and phones: distinct residents' new accounts on one device or
# phone within a block of this many days (Monday-aligned weeks by default).
DETECTION_SHARED_WINDOW_DAYS = _positive_int("DETECTION_SHARED_WINDOW_DAYS", 7)
DETECTION_SHARED_MIN_RESIDENTS = _positive_int("DETECTION_SHARED_MIN_RESIDENTS", 3)
DETECTION_SHARED_CRITICAL_RESIDENTS = _positive_int("DETECTION_SHARED_CRITICAL_RESIDENTS", 10)

# --- elderly_concentration ------------------------------------------------------------------
DETECTION_ELDERLY_AGE = _positive_int("DETECTION_ELDERLY_AGE", 60)
DETECTION_ELDERLY_MIN_SAMPLE = _positive_int("DETECTION_ELDERLY_MIN_SAMPLE", 30)
DETECTION_ELDERLY_MIN_EXCESS_POINTS = _positive_int("DETECTION_ELDERLY_MIN_EXCESS_POINTS", 15)
# From this many points above the baseline the alert is high (a ring's mix), below it
# medium: with a test a day for every partner and agent, p < 0.01 alone is met by chance.
DETECTION_ELDERLY_HIGH_EXCESS_POINTS = _positive_int("DETECTION_ELDERLY_HIGH_EXCESS_POINTS", 25)
DETECTION_ELDERLY_P_VALUE = _fraction("DETECTION_ELDERLY_P_VALUE", 0.01)
# The partner's (or agent's) own history counts when it holds at least this many residents.
DETECTION_ELDERLY_MIN_HISTORY = _positive_int("DETECTION_ELDERLY_MIN_HISTORY", 100)

# --- Alerts -----------------------------------------------------------------------------------
# Critical alerts suspend the partner (a vetting suspension by the system). Off by default.
DETECTION_AUTO_SUSPEND = env_bool("DETECTION_AUTO_SUSPEND", default=False)
# Critical alerts are e-mailed to the approvers, from this address.
DETECTION_ALERT_FROM_EMAIL = env.str("DETECTION_ALERT_FROM_EMAIL", default="auditsvc@localhost")
# Django's mail settings. Development keeps mail in files under var/mail: on the console,
# the first `make run`'s alert e-mails pushed the demo logins off the screen.
EMAIL_BACKEND = env.str(
    "DJANGO_EMAIL_BACKEND",
    default="django.core.mail.backends.filebased.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_FILE_PATH = env.str("DJANGO_EMAIL_FILE_PATH", default=str(VAR_DIR / "mail"))
# The mail server as one address, e.g. smtp+tls://user:password@smtp.example.cn:587
# (django-environ's form); it holds a password, so it may come from a file (_FILE).
_email_url = env_secret("DJANGO_EMAIL_URL")
if _email_url:
    if "DJANGO_EMAIL_BACKEND" in env:
        raise ImproperlyConfigured("Set DJANGO_EMAIL_URL or DJANGO_EMAIL_BACKEND, not both.")
    for _name, _value in env.email_url_config(_email_url).items():
        if _value != "":
            globals()[_name] = _value
