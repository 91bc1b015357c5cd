"""manage.py simulate [--days N] [--seed S] [--ring]: see ``auditsvc.demo.sim``."""

from __future__ import annotations

import json

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from auditsvc.demo.sim import (
    DEFAULT_DAYS,
    DEFAULT_RING_DAYS,
    MAX_DAYS,
    SimulationRefused,
    already_simulated,
    simulate,
)


class Command(BaseCommand):
    help = (
        "Send DAYS of realistic demo traffic, ending now, through the ingestion services on "
        "a simulated clock: the demo partners' agents working village by village, residents "
        "opening accounts later on their own; with --ring, one agent turns into a ring for "
        "the last days. Run it after seed_demo on a fresh database."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--days", type=int, default=DEFAULT_DAYS, help=f"default {DEFAULT_DAYS}"
        )
        parser.add_argument("--seed", type=int, default=1, help="the same seed, the same traffic")
        parser.add_argument(
            "--ring", action="store_true", help="add a ring inside the last demo partner"
        )
        parser.add_argument(
            "--ring-days",
            type=int,
            default=DEFAULT_RING_DAYS,
            help=f"how many of the last days the ring works (default {DEFAULT_RING_DAYS})",
        )
        parser.add_argument(
            "--skip-if-done",
            action="store_true",
            help="do nothing when the demo logs already hold records of those days "
            "(so `make run` can call it every time)",
        )
        parser.add_argument("--json", action="store_true", help="print the counts as JSON")
        parser.add_argument("--force", action="store_true", help="run even though DEBUG is off")

    def handle(self, *args, **options) -> None:
        if not settings.DEBUG and not options["force"]:
            raise CommandError(
                "simulate writes made-up traffic into the demo partners' permanent logs; "
                "it runs only with DEBUG on (DJANGO_DEBUG=1). Pass --force to run it anyway."
            )
        days = options["days"]
        if not 1 <= days <= MAX_DAYS:
            raise CommandError(f"--days must be between 1 and {MAX_DAYS}.")
        if options["ring"] and not 1 <= options["ring_days"] <= days:
            raise CommandError("--ring-days must be between 1 and --days.")
        try:
            if options["skip_if_done"] and already_simulated(days):
                self.stdout.write("The demo logs already hold simulated traffic; nothing sent.")
                return
            with Progress(
                TextColumn("simulating days"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=Console(file=self.stderr),
                transient=not options["json"],
            ) as bar:
                task = bar.add_task("days", total=days + 1)
                result = simulate(
                    days=days,
                    seed=options["seed"],
                    ring=options["ring"],
                    ring_days=options["ring_days"],
                    progress=lambda done, total: bar.update(task, completed=done, total=total),
                )
        except SimulationRefused as refused:
            raise CommandError(str(refused)) from None
        if options["json"]:
            self.stdout.write(json.dumps(result.as_dict(), indent=2))
            return
        records = ", ".join(f"{count} {kind}" for kind, count in result.records.items())
        self.stdout.write(
            f"Simulated {result.start:%Y-%m-%d %H:%M} to {result.end:%Y-%m-%d %H:%M} UTC "
            f"(seed {result.seed}): {records}."
        )
        if result.ring:
            self.stdout.write(
                f"Ring: partner {result.ring} for the last {options['ring_days']} days."
            )
        if result.violations:
            flagged = ", ".join(f"{code} {count}" for code, count in result.violations.items())
            self.stdout.write(f"Violations flagged on arrival: {flagged}.")
