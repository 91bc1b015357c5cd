"""Celery task discovery: ``app.autodiscover_tasks()`` imports ``<app>.tasks`` of each app.

The tasks themselves live next to their services; importing them here
registers them with the worker.
"""

from auditsvc.ledger.tasks import sign_checkpoints

__all__ = ["sign_checkpoints"]
