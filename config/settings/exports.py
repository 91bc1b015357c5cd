"""Settings of log exports (auditsvc.exports), imported by base.py.

Read from the environment like the rest; a bad value stops start-up.
"""

from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from .env import VAR_DIR, env

# Where finished bundles are kept until they expire (private: served only through
# the download view, which checks the permission and records the download).
AUDITSVC_EXPORT_DIR = Path(env.str("AUDITSVC_EXPORT_DIR", default=str(VAR_DIR / "exports")))
# Days a finished bundle's file is kept; then a beat task removes it (the record stays).
AUDITSVC_EXPORT_RETENTION_DAYS = env.int("AUDITSVC_EXPORT_RETENTION_DAYS", default=7)
# Ranges of at most this many entries are written in the web process at once; larger
# ones go to a Celery worker. 0 sends every export to a worker.
AUDITSVC_EXPORT_INLINE_MAX_ENTRIES = env.int("AUDITSVC_EXPORT_INLINE_MAX_ENTRIES", default=5000)

if AUDITSVC_EXPORT_RETENTION_DAYS < 1:
    raise ImproperlyConfigured("AUDITSVC_EXPORT_RETENTION_DAYS must be at least 1.")
if AUDITSVC_EXPORT_INLINE_MAX_ENTRIES < 0:
    raise ImproperlyConfigured("AUDITSVC_EXPORT_INLINE_MAX_ENTRIES cannot be negative.")
