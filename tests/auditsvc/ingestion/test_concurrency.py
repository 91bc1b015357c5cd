"""Concurrent ingestion over HTTP keeps every log contiguous and records each event once.

A real gunicorn (two worker processes) serves the test database, and four
client processes post batches for two partners at once, two clients per
partner, half of whose batches overlap (the same client ids sent by both at
the same time). Afterwards each log must be contiguous, its recorded_at
non-decreasing, every entry signed, its stored subtree hashes and roots equal
to a naive RFC 6962 recomputation from the leaves, and every event recorded
exactly once.
PostgreSQL only: the embedded SQLite serialises all writers anyway.
"""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.conf import settings
from django.db import connection
from django.db.models import Sum

from auditsvc.core.keys import VerifierKey, verify_entry
from auditsvc.ingestion.models import AccessEvent, DailyAccessCount
from auditsvc.ledger import selectors
from auditsvc.ledger.keys import entry_signing_key
from auditsvc.ledger.models import LedgerEntry, Log, PublishedKey, TreeNode
from tests import factories, needs
from tests.conftest import build_vetted_partner
from tests.servers import database_url, gunicorn_server, run_clients

from .support import ACCESS_URL, access_event, resident

BATCHES = 6
PER_BATCH = 60
OVERLAPPING = 3  # batches the second client of a partner sends exactly as the first one does

pytestmark = [
    pytest.mark.django_db(transaction=True),
    needs.postgres("a server process and the test must share the database"),
    pytest.mark.slow,
]


def leaf(canonical: str) -> bytes:
    return hashlib.sha256(b"\x00" + canonical.encode()).digest()


def naive_root(leaves: list[bytes]) -> bytes:
    """RFC 6962 Merkle tree hash, straight from the definition."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return leaves[0]
    split = 1 << ((len(leaves) - 1).bit_length() - 1)  # largest power of two below the size
    return hashlib.sha256(
        b"\x01" + naive_root(leaves[:split]) + naive_root(leaves[split:])
    ).digest()


def batches_for(client: str, first_client: str, now: dt.datetime) -> list[dict]:
    """Batches of one client; the second client of a partner repeats the first's early ones."""
    out = []
    for b in range(BATCHES):
        owner = first_client if b < OVERLAPPING else client
        events = [
            access_event(
                now - dt.timedelta(seconds=b * PER_BATCH + i),
                f"{owner}-{b}-{i}",
                resident=resident(factories.make_resident_id(sequence=(b * PER_BATCH + i) % 999)),
            )
            for i in range(PER_BATCH)
        ]
        out.append({"events": events})
    return out


def server_env(signing_key) -> dict[str, str]:
    return {
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": database_url(connection.settings_dict),
        "DJANGO_SECRET_KEY": settings.SECRET_KEY,
        "AUDITSVC_PEPPER": settings.AUDITSVC_PEPPER,
        "AUDITSVC_KEY_DIR": str(settings.AUDITSVC_KEY_DIR),
        # The test settings fix their own key directory; the key travels by environment.
        "AUDITSVC_SIGNING_KEY": signing_key.private_string(),
        "AUDITSVC_THROTTLE_CREDENTIAL": "100000/min",
        "DATABASE_CONN_MAX_AGE": "0",
    }


def assert_log_is_sound(log_id: str) -> None:
    entries = list(
        LedgerEntry.objects.filter(log_id=log_id)
        .order_by("seq")
        .values_list("seq", "recorded_at", "canonical", "leaf_hash", "signature", "key_id")
    )
    size = Log.objects.get(pk=log_id).size
    assert [seq for seq, *_ in entries] == list(range(size)), "seqs are contiguous from 0"
    times = [recorded_at for _, recorded_at, *_ in entries]
    assert times == sorted(times), "recorded_at never decreases"
    leaves = [leaf(canonical) for _, _, canonical, *_ in entries]
    assert leaves == [bytes(row[3]) for row in entries], "leaf hashes match the entries"
    verifiers = {
        key.key_id: VerifierKey.from_string(key.verifier_key) for key in PublishedKey.objects.all()
    }
    for (*_, signature, key_id), leaf_hash in zip(entries, leaves, strict=True):
        assert verify_entry(verifiers[key_id], leaf_hash, bytes(signature))

    for level, index, stored in TreeNode.objects.filter(log_id=log_id).values_list(
        "level", "index", "hash"
    ):
        start = index << level
        assert bytes(stored) == naive_root(leaves[start : start + (1 << level)]), (level, index)
    for tree_size in sorted({*range(1, size + 1, 17), size}):
        assert selectors.log_root(log_id, tree_size) == naive_root(leaves[:tree_size]), tree_size


def test_concurrent_clients_never_break_a_log(signing_key, now):
    first = build_vetted_partner()
    second = build_vetted_partner()
    keys = {partner.code: factories.issue_partner_key(partner) for partner in (first, second)}
    entry_signing_key()  # publish the key now, not from two server workers at once

    jobs_spec = [
        (first, "a1", "a1"),
        (first, "a2", "a1"),
        (second, "b1", "b1"),
        (second, "b2", "b1"),
    ]
    with gunicorn_server(server_env(signing_key), workers=2) as base_url:
        answers = run_clients(
            [
                (base_url + ACCESS_URL, keys[partner.code], batches_for(client, owner, now))
                for partner, client, owner in jobs_spec
            ]
        )

    receipts: dict[tuple[str, str], dict] = {}
    for (partner, _, _), job_answers in zip(jobs_spec, answers, strict=True):
        assert len(job_answers) == BATCHES
        for status, body in job_answers:
            assert status in (200, 201), body
            for result in body["results"]:
                assert result["receipt"]["log"] == partner.code
                key = (partner.code, result["client_event_id"])
                # Whoever got the duplicate got the very same receipt.
                assert receipts.setdefault(key, result["receipt"]) == result["receipt"]

    expected = BATCHES * PER_BATCH + (BATCHES - OVERLAPPING) * PER_BATCH
    for partner in (first, second):
        assert_log_is_sound(partner.code)
        events = AccessEvent.objects.filter(partner=partner)
        assert events.count() == expected
        assert events.values("client_event_id").distinct().count() == expected
        assert LedgerEntry.objects.filter(log_id=partner.code).count() == expected
        counted = DailyAccessCount.objects.filter(partner=partner, agent_code="")
        assert counted.aggregate(total=Sum("count"))["total"] == expected
    assert len(receipts) == 2 * expected
