"""manage.py verify_ledger: passes on a good ledger, names the first bad seq of a tampered one.

To tamper, a test drops the append-only trigger of one table inside its own
transaction (rolled back at the end, triggers included) and edits rows with
raw SQL, as someone with the table owner's rights could.
"""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from auditsvc.core import merkle
from auditsvc.core.canonical import canonical_bytes, format_time
from auditsvc.core.keys import sign_entry
from auditsvc.ledger.checkpoints import checkpoint_sign
from auditsvc.ledger.integrity import verify_log
from auditsvc.ledger.models import LedgerEntry, TreeNode

from .support import drop_append_only_triggers

pytestmark = pytest.mark.django_db


@pytest.fixture
def ledger(append):
    append("T0001", 5)
    checkpoint_sign("T0001")
    append("T0001", 20, batch=3)
    checkpoint_sign("T0001")
    append("T0002", 9)


def run(*args) -> str:
    out = io.StringIO()
    call_command("verify_ledger", *args, stdout=out)
    return out.getvalue()


def run_failing(*args) -> tuple[str, CommandError]:
    out = io.StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("verify_ledger", *args, stdout=out)
    assert raised.value.returncode == 1
    return out.getvalue(), raised.value


def execute(sql: str, params=()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def resign(seq: int, mutate, signing_key) -> None:
    """Rewrite entry ``seq`` of T0001 as a forger holding the signing key would."""
    row = LedgerEntry.objects.get(log_id="T0001", seq=seq)
    obj = json.loads(row.canonical)
    mutate(obj)
    data = canonical_bytes(obj)
    leaf = merkle.leaf_hash(data)
    drop_append_only_triggers("ledger_ledgerentry")
    execute(
        "UPDATE ledger_ledgerentry SET canonical = %s, leaf_hash = %s, signature = %s "
        "WHERE id = %s",
        [data.decode(), leaf, sign_entry(signing_key, leaf), row.pk],
    )


def test_it_passes_a_good_ledger(ledger):
    output = run()

    assert "ok   log T0001: 25 entries, 22 subtree hashes, 2 checkpoint roots" in output
    assert "ok   log T0002: 9 entries" in output
    assert "All 2 log(s) verify." in output


def test_it_verifies_one_log_on_request(ledger):
    output = run("--log", "T0002", "--chunk-size", "4")

    assert "T0001" not in output
    assert "ok   log T0002: 9 entries, 7 subtree hashes" in output


def test_it_refuses_an_unknown_log(db):
    with pytest.raises(CommandError, match="no log"):
        call_command("verify_ledger", "--log", "P9999", stdout=io.StringIO())


def test_it_names_the_entry_whose_text_was_edited(ledger):
    drop_append_only_triggers("ledger_ledgerentry")
    execute(
        "UPDATE ledger_ledgerentry SET canonical = REPLACE(canonical, '\"n\":7', '\"n\":8') "
        "WHERE log_id = 'T0001' AND seq = 12"
    )

    output, error = run_failing()

    assert "BAD  log T0001: first bad seq 12" in output
    assert "seq 12: the leaf hash is not SHA-256(0x00 || canonical bytes)" in output
    assert "ok   log T0002" in output
    assert "T0001" in str(error)


def test_it_names_the_entry_whose_signature_was_replaced(ledger):
    other = LedgerEntry.objects.get(log_id="T0001", seq=4)
    drop_append_only_triggers("ledger_ledgerentry")
    execute(
        "UPDATE ledger_ledgerentry SET signature = %s WHERE log_id = 'T0001' AND seq = 3",
        [bytes(other.signature)],
    )

    output, _ = run_failing("--log", "T0001")

    assert "first bad seq 3" in output
    assert "the signature does not verify" in output


def test_a_forged_but_re_signed_entry_still_breaks_the_tree(ledger, signing_key):
    resign(9, lambda obj: obj["body"].update(n=999), signing_key)

    output, _ = run_failing("--log", "T0001")

    # Entry 9 is self-consistent now; the subtree hashes that cover it are not.
    assert "first bad seq 9" in output
    assert "stored subtree hash (level 1, index 4, seqs 8-9) does not match" in output


def test_it_catches_recorded_at_going_back(ledger, signing_key):
    first = LedgerEntry.objects.get(log_id="T0001", seq=0)
    earlier = first.recorded_at - dt.timedelta(days=1)
    # Entry 1 now says, consistently and validly signed, that it came a day before entry 0.
    resign(1, lambda obj: obj.update(recorded_at=format_time(earlier)), signing_key)
    execute(
        "UPDATE ledger_ledgerentry SET recorded_at = %s WHERE log_id = 'T0001' AND seq = 1",
        [earlier],
    )

    output, _ = run_failing("--log", "T0001")

    assert "first bad seq 1" in output
    assert "is earlier than the previous entry's" in output


def test_it_names_a_gap(ledger):
    drop_append_only_triggers("ledger_ledgerentry")
    execute("DELETE FROM ledger_ledgerentry WHERE log_id = 'T0001' AND seq = 17")

    output, _ = run_failing("--log", "T0001")

    assert "first bad seq 17" in output
    assert "seq 17 is missing" in output


def test_it_names_an_edited_subtree_hash(ledger):
    drop_append_only_triggers("ledger_treenode")
    execute(
        "UPDATE ledger_treenode SET hash = %s WHERE log_id = 'T0001' AND level = 2 "
        'AND "index" = 3',
        [b"\x00" * 32],
    )

    output, _ = run_failing("--log", "T0001")

    assert "first bad seq 15" in output
    assert "level 2, index 3, seqs 12-15) does not match its children" in output


def test_it_names_a_checkpoint_whose_root_was_edited(ledger):
    drop_append_only_triggers("ledger_signedcheckpoint")
    execute("UPDATE ledger_signedcheckpoint SET root_hash = %s WHERE size = 5", [b"\x01" * 32])

    output, _ = run_failing("--log", "T0001")

    assert "checkpoint" in output
    assert "(size 5)" in output
    assert "the signed size or root differs from the stored columns" in output


def test_it_names_a_checkpoint_whose_note_was_edited(ledger):
    drop_append_only_triggers("ledger_signedcheckpoint")
    execute("UPDATE ledger_signedcheckpoint SET note = REPLACE(note, '\n25\n', '\n24\n')")

    verdict = verify_log("T0001")

    assert not verdict.ok
    assert any("does not verify" in problem for problem in verdict.problems)


def test_it_names_entries_past_the_head(ledger):
    # The head moved back one entry, as a restore of an older ledger_log would do.
    execute("UPDATE ledger_log SET size = size - 1 WHERE log_id = 'T0002'")

    output, _ = run_failing("--log", "T0002")

    assert "first bad seq 8" in output
    assert "1 entries lie past the head (size 8), the first at seq 8" in output


def test_it_names_subtree_hashes_past_the_head(ledger):
    TreeNode.objects.create(log_id="T0002", level=1, index=4, hash=b"\x00" * 32)
    TreeNode.objects.create(log_id="T0002", level=5, index=0, hash=b"\x00" * 32)

    verdict = verify_log("T0002")

    assert verdict.problems == ["2 stored subtree hashes lie past the head (size 9)"]
