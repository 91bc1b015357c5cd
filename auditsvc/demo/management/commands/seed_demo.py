"""manage.py seed_demo [--json] [--force] [--days N] [--port N]: see ``auditsvc.demo.seed``."""

from __future__ import annotations

import json
import os

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from auditsvc.demo.seed import DEFAULT_HISTORY_DAYS, MAX_HISTORY_DAYS, SeedRefused, seed_demo
from auditsvc.demo.summary import render_summary


class Command(BaseCommand):
    help = (
        "Create demo staff (staff, approver, approver2, auditor), approved partners with agents "
        "and authorisations, an account platform and fresh API keys, all through the services, "
        "with their history dated on a simulated clock that starts --days back (an empty "
        "ledger only). Safe to run again: it then reuses what exists and issues fresh "
        "passwords and keys."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--json", action="store_true", help="Print one JSON object instead of tables."
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even though DEBUG is off (it resets the demo users' passwords and "
            "writes demo decisions into the permanent bureau log).",
        )
        parser.add_argument(
            "--days",
            type=int,
            default=DEFAULT_HISTORY_DAYS,
            help=f"How many days back the demo history starts (default {DEFAULT_HISTORY_DAYS}, "
            f"at most {MAX_HISTORY_DAYS}).",
        )
        parser.add_argument(
            "--port",
            type=int,
            default=int(os.environ.get("PORT", "8000")),
            help="Port of the admin URL shown in the summary (default $PORT or 8000).",
        )

    def handle(self, *args, **options) -> None:
        # A safety catch for production: the command resets the passwords of any users
        # named staff/approver/approver2/auditor and its decisions can never be removed
        # from the bureau log. `make run` sets DJANGO_DEBUG=1.
        if not settings.DEBUG and not options["force"]:
            raise CommandError(
                "seed_demo writes demo partners and decisions into the permanent bureau log "
                "and resets the passwords of the users staff, approver, approver2 and "
                "auditor; it runs only with DEBUG on (DJANGO_DEBUG=1). "
                "Pass --force to run it anyway."
            )
        if not 1 <= options["days"] <= MAX_HISTORY_DAYS:
            raise CommandError(f"--days must be between 1 and {MAX_HISTORY_DAYS}.")
        try:
            result = seed_demo(days=options["days"])
        except SeedRefused as refused:
            raise CommandError(str(refused)) from None
        admin_url = f"http://127.0.0.1:{options['port']}/admin/"
        if options["json"]:
            self.stdout.write(json.dumps({**result, "admin_url": admin_url}, indent=2))
        else:
            self.stdout.write(render_summary(result, admin_url=admin_url), ending="")
