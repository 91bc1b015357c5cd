"""manage.py auditsvc_checkpoint [--log ID]: sign checkpoints now (what beat runs)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from auditsvc.base.errors import ServiceError
from auditsvc.ledger.checkpoints import checkpoint_sign, checkpoint_sign_due


class Command(BaseCommand):
    help = (
        "Sign a checkpoint of every log that is due (grown since its last checkpoint, or "
        "whose newest is older than AUDITSVC_CHECKPOINT_MAX_AGE_MINUTES), as the periodic "
        "task does; with --log, sign that log now whether due or not."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--log", dest="log_id", help="Sign this log now (e.g. P0001).")

    def handle(self, *args, log_id: str | None, **options) -> None:
        try:
            checkpoints = [checkpoint_sign(log_id)] if log_id else checkpoint_sign_due()
        except ServiceError as exc:
            raise CommandError(exc.detail) from None
        for checkpoint in checkpoints:
            self.stdout.write(
                f"signed {checkpoint.log_id}@{checkpoint.size} by {checkpoint.key_ids}"
            )
        if not checkpoints:
            self.stdout.write("No log is due for a checkpoint.")
