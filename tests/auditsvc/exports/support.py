"""Helpers of the export tests: a log with entries at chosen times, and a bundle opened up."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from dataclasses import dataclass

from django.db import transaction

from auditsvc.base.clock import simulated_clock
from auditsvc.exports.kinds import ExportKind
from auditsvc.ledger.models import LedgerEntry
from auditsvc.ledger.services import append_entries, log_for_update

T0 = dt.datetime(2026, 3, 1, 8, 0, tzinfo=dt.UTC)


def at(minutes: int) -> dt.datetime:
    """``minutes`` after T0 (tests' entries are placed on this grid)."""
    return T0 + dt.timedelta(minutes=minutes)


def fill_log(log_id: str, minutes: list[int]) -> list[LedgerEntry]:
    """Append one entry to ``log_id`` at each of ``minutes`` after T0 (ascending)."""
    entries = []
    with simulated_clock(at(minutes[0])) as clock:
        for number, minute in enumerate(minutes):
            clock.set(at(minute))
            with transaction.atomic():
                log = log_for_update(log_id)
                entries += append_entries(
                    log, [(ExportKind.EXPORT_REQUESTED, {"n": number, "text": "grüße"})]
                )
    return entries


@dataclass
class Bundle:
    names: list[str]
    files: dict[str, bytes]

    def json(self, name: str):
        return json.loads(self.files[name])

    def lines(self, name: str) -> list[dict]:
        return [json.loads(line) for line in self.files[name].decode().splitlines()]

    @property
    def manifest(self) -> dict:
        return self.json("manifest.json")


def open_bundle(data: bytes) -> Bundle:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
        return Bundle(names, {name: archive.read(name) for name in names})
