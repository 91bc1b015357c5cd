"""manage.py verify_ledger [--log ID]: recompute and check everything the ledger claims."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from auditsvc.ledger.integrity import verify_ledger
from auditsvc.ledger.models import Log


class Command(BaseCommand):
    help = (
        "Recompute every leaf hash, signature, stored subtree hash and checkpoint of the "
        "ledger and report the first bad entry of each log. Exits 1 if anything is wrong."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--log", dest="log_id", help="Verify only this log (e.g. P0001).")
        parser.add_argument(
            "--chunk-size", type=int, default=2000, help="Entries read per query (default 2000)."
        )

    def handle(self, *args, log_id: str | None, chunk_size: int, **options) -> None:
        if log_id is not None and not Log.objects.filter(pk=log_id).exists():
            raise CommandError(f"There is no log {log_id!r}.")
        # Rich writes straight to the underlying stream: Django's OutputWrapper
        # would add a newline to every partial write of the progress bar.
        console = Console(
            file=getattr(self.stdout, "_out", self.stdout), highlight=False, soft_wrap=True
        )
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            disable=not console.is_terminal,
        ) as progress:
            tasks: dict[str, int] = {}

            def report(each_log: str, done: int, total: int) -> None:
                if each_log not in tasks:
                    tasks[each_log] = progress.add_task(f"log {each_log}", total=total)
                progress.update(tasks[each_log], completed=done)

            verdicts = verify_ledger(log_id, chunk_size=chunk_size, progress=report)

        failed = [verdict for verdict in verdicts if not verdict.ok]
        for verdict in verdicts:
            counts = (
                f"{verdict.entries} entries, {verdict.nodes} subtree hashes, "
                f"{verdict.checkpoints} checkpoint roots"
            )
            if verdict.ok:
                console.print(f"[green]ok[/green]   log {verdict.log_id}: {counts}")
                continue
            first = f"first bad seq {verdict.bad_seq}" if verdict.bad_seq is not None else "bad"
            console.print(f"[red]BAD[/red]  log {verdict.log_id}: {first} ({counts} checked)")
            for problem in verdict.problems:
                console.print(f"       {problem}", markup=False)
        if failed:
            raise CommandError(
                f"{len(failed)} of {len(verdicts)} log(s) failed verification: "
                + ", ".join(verdict.log_id for verdict in failed),
                returncode=1,
            )
        console.print(f"All {len(verdicts)} log(s) verify.")
