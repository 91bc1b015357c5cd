"""The alerts' admin: the queue, the alert page with its triage, the risk summary."""

from . import alerts  # noqa: F401  (registers AlertAdmin)
