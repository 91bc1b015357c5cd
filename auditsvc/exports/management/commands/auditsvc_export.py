"""manage.py auditsvc_export --log ID --from T --to T [--previous-size N] -o FILE.zip

Writes an export bundle straight to a file, with a progress bar, for an
operator at the server. The request is recorded in the bureau log (the
system as actor: whoever holds the server's shell is not a named user).
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from auditsvc.base.errors import ServiceError
from auditsvc.exports.services import export_to_file
from auditsvc.ingestion.validation.fields import parse_datetime


def _time(value: str, name: str):
    moment = parse_datetime(value)
    if moment is None:
        raise CommandError(
            f"--{name} must be an RFC 3339 time with an offset, e.g. 2026-11-23T00:00:00+08:00."
        )
    return moment


class Command(BaseCommand):
    help = (
        "Write the signed export bundle of one log (a partner's code or 'bureau') over the "
        "recorded_at range [--from, --to) to a zip file; check it with auditsvc-verify."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--log", required=True, help="A partner's code (P0001) or bureau.")
        parser.add_argument("--from", dest="from_", required=True, help="Start (included).")
        parser.add_argument("--to", required=True, help="End (excluded), not later than now.")
        parser.add_argument(
            "--previous-size",
            type=int,
            default=None,
            help="Size of a checkpoint you hold: adds the consistency proof from it.",
        )
        parser.add_argument("-o", "--output", required=True, help="The zip file to write.")

    def handle(self, *args, log, from_, to, previous_size, output, **options) -> None:
        target = Path(output)
        if target.is_dir():
            raise CommandError(f"{target} is a folder; give a file name such as bundle.zip.")
        partial = target.with_name(target.name + ".part")
        console = Console(stderr=True)
        with Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=console,
            transient=True,
        ) as bar:
            task = bar.add_task(f"Exporting {log}", total=None)

            def progress(done: int, total: int) -> None:
                bar.update(task, completed=done, total=total)

            try:
                with open(partial, "wb") as out:
                    manifest = export_to_file(
                        actor=None,
                        log=log,
                        from_=_time(from_, "from"),
                        to=_time(to, "to"),
                        previous_size=previous_size,
                        out=out,
                        progress=progress,
                    )
                os.replace(partial, target)
            except ServiceError as exc:
                partial.unlink(missing_ok=True)
                raise CommandError(f"{exc.detail} [{exc.code}]") from None
            except BaseException:
                partial.unlink(missing_ok=True)
                raise
        digest = hashlib.sha256()
        with open(target, "rb") as written:
            while chunk := written.read(1 << 20):
                digest.update(chunk)
        self.stdout.write(
            f"Wrote {target}: {manifest['count']} entries of log {manifest['log']} "
            f"[{manifest['range']['from']}, {manifest['range']['to']}), "
            f"tree size {manifest['tree_size']}, SHA-256 {digest.hexdigest()}."
        )
        self.stdout.write(f"Check it: auditsvc-verify {target} --trusted-key VERIFIER_KEY")
