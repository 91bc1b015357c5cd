"""Detection services: running the rules (``engine``), alerts (``alerts``), triage (``triage``).

``run_detection`` is the entry point of beat's tasks and of
``manage.py run_detection``: the same code either way.
"""

from .engine import DetectionSummary, detect_rule_for_partner, detection_backlog, run_detection

__all__ = [
    "DetectionSummary",
    "detect_rule_for_partner",
    "detection_backlog",
    "run_detection",
]
