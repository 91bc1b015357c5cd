"""manage.py auditsvc_keys generate|publish|list|rotate: the ledger's signing keys."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.table import Table

from auditsvc.base.errors import ServiceError
from auditsvc.core.keys import KeyFormatError
from auditsvc.ledger.keys import (
    loaded_unpublished_keys,
    private_key_present,
    published_keys_missing_here,
)
from auditsvc.ledger.publishing import key_generate, key_publish, key_rotate
from auditsvc.ledger.selectors import published_keys


class Command(BaseCommand):
    help = (
        "Manage the ledger's signing keys. generate: a new key (private half written to "
        "AUDITSVC_KEY_DIR, public half published); publish: publish the keys put into "
        "AUDITSVC_KEY_DIR or AUDITSVC_SIGNING_KEY by hand; rotate: a new key, the current "
        "ones retired after an overlap; list: every published key. Every publication and "
        "retirement is a bureau-log entry."
    )

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        generate = sub.add_parser("generate", help="Generate and publish a new key.")
        generate.add_argument("--name", help="Key name (default: AUDITSVC_ORIGIN).")
        rotate = sub.add_parser("rotate", help="Replace the current keys after an overlap.")
        rotate.add_argument(
            "--overlap-hours",
            type=int,
            help="How long the old keys keep co-signing checkpoints "
            "(default: AUDITSVC_KEY_OVERLAP_HOURS).",
        )
        sub.add_parser(
            "publish", help="Publish the private keys loaded here that are not published yet."
        )
        sub.add_parser("list", help="List the published keys.")

    def handle(self, *args, action: str, **options) -> None:
        try:
            if action == "generate":
                row = key_generate(name=options.get("name"))
                self.stdout.write(f"Generated and published key {row.key_id}.")
                self.stdout.write(f"Verifier key (give it to auditors): {row.verifier_key}")
            elif action == "publish":
                rows = key_publish()
                if not rows:
                    self.stdout.write("Every key loaded here is published already.")
                for row in rows:
                    self.stdout.write(f"Published key {row.key_id}: {row.verifier_key}")
            elif action == "rotate":
                row = key_rotate(overlap_hours=options.get("overlap_hours"))
                self.stdout.write(f"Rotated: key {row.key_id} now signs new entries.")
                self.stdout.write(f"Verifier key (give it to auditors): {row.verifier_key}")
            else:
                self.list_keys()
        except (ServiceError, KeyFormatError) as exc:
            raise CommandError(str(exc)) from None

    def list_keys(self) -> None:
        table = Table("key_id", "name", "verifier key", "valid from", "retired at", "private here")
        for key in published_keys():
            table.add_row(
                key.key_id,
                key.name,
                key.verifier_key,
                key.valid_from.isoformat(timespec="seconds"),
                key.retired_at.isoformat(timespec="seconds") if key.retired_at else "-",
                "yes" if private_key_present(key.key_id) else "no",
            )
        console = Console(file=getattr(self.stdout, "_out", self.stdout), width=200)
        console.print(table)
        for key in loaded_unpublished_keys():
            self.stderr.write(
                f"Warning: the private key {key.key_id} is loaded here but not published, so "
                "it signs nothing; run 'manage.py auditsvc_keys publish' if it should.",
                style_func=self.style.WARNING,
            )
        for key in published_keys_missing_here():
            self.stderr.write(
                f"Warning: key {key.key_id} is published and not retired, but its private key "
                "is not on this host: copy its key file to AUDITSVC_KEY_DIR on every host that "
                "runs web or worker before the rotation's overlap ends.",
                style_func=self.style.WARNING,
            )
