"""Signing keys: files and the environment, publication, generation and rotation."""

from __future__ import annotations

import datetime as dt
import io
import json
import stat

import pytest
from django.core.management import call_command
from django.utils import timezone
from rest_framework.test import APIClient

from auditsvc.errors import NoSigningKey
from auditsvc.ledger import keys, note, signing
from auditsvc.ledger.checkpoints import checkpoint_sign, checkpoint_sign_due
from auditsvc.models import BUREAU_LOG_ID, LedgerEntry, SigningKey

pytestmark = pytest.mark.django_db


def bureau_entries(kind: str) -> list[dict]:
    rows = LedgerEntry.objects.filter(log_id=BUREAU_LOG_ID, kind=kind).order_by("seq")
    return [json.loads(row.canonical)["body"] for row in rows]


def verifier(row: SigningKey) -> signing.VerifierKey:
    return signing.VerifierKey.from_string(row.verifier_key)


def test_it_loads_keys_from_the_directory_and_the_environment(key_dir, settings, signing_key):
    operator_key = signing.SigningKey.generate("ops.example")
    settings.AUDITSVC_SIGNING_KEY = operator_key.private_string()

    loaded = keys.load_private_keys()

    assert set(loaded) == {signing_key.key_id, operator_key.key_id}


def test_it_sees_a_key_file_added_by_another_process(key_dir):
    assert len(keys.load_private_keys()) == 1
    added = signing.SigningKey.generate("audit.example")
    (key_dir / f"{added.key_id}.key").write_text(added.private_string())

    assert added.key_id in keys.load_private_keys()


def test_a_malformed_key_file_is_refused_without_showing_its_content(key_dir):
    (key_dir / "broken.key").write_text("PRIVATE+KEY+audit.example+00000000+c2VjcmV0LXNlZWQ=")

    with pytest.raises(signing.KeyFormatError) as raised:
        keys.load_private_keys()

    assert "broken.key" in str(raised.value)
    assert "c2VjcmV0LXNlZWQ" not in str(raised.value)


def test_generating_a_key_writes_a_private_file_and_publishes_it(key_dir, staff, settings):
    row = keys.key_generate(actor=staff)

    path = key_dir / f"{row.key_id}.key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    private = signing.SigningKey.from_private_string(path.read_text())
    assert private.verifier_string() == row.verifier_key
    assert row.name == settings.AUDITSVC_ORIGIN
    assert bytes(row.public_key) == private.public_key
    [published] = bureau_entries("key.published")
    assert published == {
        "key_id": row.key_id,
        "name": row.name,
        "algorithm": "ed25519",
        "verifier_key": row.verifier_key,
        "actor": "staff",
    }
    assert not [p for p in key_dir.iterdir() if not p.name.endswith(".key")]


def test_the_newest_published_key_signs_new_entries(key_dir, append):
    append("T0001", 1)
    row = keys.key_generate()

    [entry] = append("T0001", 1)

    assert entry.key_id == row.key_id
    assert keys.entry_signing_key().key_id == row.key_id


def test_a_key_provisioned_in_the_environment_is_published_on_first_use(settings, tmp_path, append):
    operator_key = signing.SigningKey.generate("ops.example")
    settings.AUDITSVC_KEY_DIR = tmp_path / "none"
    settings.AUDITSVC_SIGNING_KEY = operator_key.private_string()

    [entry] = append("T0001", 1)

    assert entry.key_id == operator_key.key_id
    row = SigningKey.objects.get(pk=operator_key.key_id)
    assert row.verifier_key == operator_key.verifier_string()
    assert signing.verify_entry(verifier(row), bytes(entry.leaf_hash), bytes(entry.signature))


def test_a_retired_key_signs_nothing(key_dir, signing_key, append):
    append("T0001", 1)
    SigningKey.objects.filter(pk=signing_key.key_id).update(
        retired_at=timezone.now() - dt.timedelta(seconds=1)
    )

    with pytest.raises(NoSigningKey, match="retired"):
        append("T0001", 1)
    with pytest.raises(NoSigningKey):
        keys.checkpoint_signing_keys()


def test_rotation_retires_the_old_key_after_the_overlap_and_logs_both(
    key_dir, signing_key, append, staff
):
    append("T0001", 1)
    before = timezone.now()

    new = keys.key_rotate(actor=staff, overlap_hours=5)

    old = SigningKey.objects.get(pk=signing_key.key_id)
    assert old.retired_at is not None
    assert (
        before + dt.timedelta(hours=5) <= old.retired_at <= timezone.now() + dt.timedelta(hours=5)
    )
    assert SigningKey.objects.get(pk=new.key_id).retired_at is None
    [published] = bureau_entries("key.published")
    [retired] = bureau_entries("key.retired")
    assert published["key_id"] == new.key_id
    assert retired["key_id"] == signing_key.key_id
    assert retired["replaced_by"] == new.key_id
    assert retired["actor"] == "staff"
    # The rotation's own entries are already signed by the new key.
    assert set(
        LedgerEntry.objects.filter(log_id=BUREAU_LOG_ID).values_list("key_id", flat=True)
    ) == {new.key_id}


def test_during_the_overlap_checkpoints_carry_both_signatures(key_dir, signing_key, append):
    append("T0001", 2)
    new = keys.key_rotate(overlap_hours=1)

    [entry] = append("T0001", 1)
    checkpoint = checkpoint_sign("T0001")

    assert entry.key_id == new.key_id
    assert checkpoint.key_ids == f"{signing_key.key_id},{new.key_id}"
    old = SigningKey.objects.get(pk=signing_key.key_id)
    # An auditor who pinned either key can follow the log across the rotation.
    for pinned in (old, new):
        text, _ = note.open_note(checkpoint.note, [verifier(pinned)])
        assert note.parse_checkpoint(text).size == 3
    response = APIClient().get("/api/v1/keys")
    listed = {key["key_id"]: key for key in response.json()["keys"]}
    assert set(listed) == {signing_key.key_id, new.key_id}
    assert listed[signing_key.key_id]["retired_at"] is not None


def test_after_the_overlap_only_the_new_key_signs_checkpoints(key_dir, signing_key, append):
    append("T0001", 2)
    new = keys.key_rotate(overlap_hours=0)

    checkpoint = checkpoint_sign("T0001")

    assert checkpoint.key_ids == new.key_id
    assert [k.key_id for k in keys.checkpoint_signing_keys()] == [new.key_id]


def test_a_failed_publication_leaves_no_key_file(key_dir, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("database gone")

    monkeypatch.setattr(keys, "_publish", broken)

    with pytest.raises(RuntimeError):
        keys.key_generate()
    assert [p.name for p in key_dir.iterdir()] == [f"{k}.key" for k in keys.load_private_keys()]
    assert len(keys.load_private_keys()) == 1


def test_the_command_generates_lists_and_rotates(key_dir, signing_key, append):
    append("T0001", 1)
    out = io.StringIO()

    call_command("auditsvc_keys", "generate", stdout=out)
    generated = SigningKey.objects.exclude(pk=signing_key.key_id).get()
    call_command("auditsvc_keys", "rotate", "--overlap-hours", "2", stdout=out)
    call_command("auditsvc_keys", "list", stdout=out)

    output = out.getvalue()
    assert f"Generated and published key {generated.key_id}." in output
    assert generated.verifier_key in output
    assert SigningKey.objects.count() == 3
    assert SigningKey.objects.filter(retired_at__isnull=True).count() == 1
    listing = output[output.index("key_id") :]
    for row in SigningKey.objects.all():
        assert row.key_id in listing
    assert listing.count("yes") == 3


@pytest.fixture
def other_host(settings, tmp_path, signing_key):
    """Act as a second host whose key directory holds only the session key (the old one).

    Returns a function that switches between the hosts: ``other_host(True)``
    or ``other_host(False)`` for the one of ``key_dir``.
    """
    directory = tmp_path / "other-host-keys"
    directory.mkdir(mode=0o700)
    path = directory / f"{signing_key.key_id}.key"
    path.write_text(signing_key.private_string() + "\n")
    path.chmod(0o600)
    first = settings.AUDITSVC_KEY_DIR

    def switch(other: bool) -> None:
        settings.AUDITSVC_KEY_DIR = directory if other else first
        keys.forget_loaded_keys()

    return switch


def test_hosts_with_different_key_files_do_not_re_sign_each_others_checkpoints(
    key_dir, signing_key, append, other_host
):
    append("T0001", 2)
    other_host(False)
    new = keys.key_rotate(overlap_hours=1)  # the new key file is on this host only, so far

    both = {checkpoint.log_id: checkpoint.key_ids for checkpoint in checkpoint_sign_due()}
    assert both == {"T0001": f"{signing_key.key_id},{new.key_id}", "bureau": both["bureau"]}
    other_host(True)
    assert checkpoint_sign_due() == []  # it cannot add a signature: nothing to do
    other_host(False)
    assert checkpoint_sign_due() == []

    # The other host signs the grown log with the old key alone; this one adds
    # the new signature once, and then neither host signs it again.
    other_host(True)
    append("T0001", 1)
    assert [c.key_ids for c in checkpoint_sign_due()] == [signing_key.key_id]
    other_host(False)
    assert [c.key_ids for c in checkpoint_sign_due()] == [f"{signing_key.key_id},{new.key_id}"]
    other_host(True)
    assert checkpoint_sign_due() == []
    other_host(False)
    assert checkpoint_sign_due() == []


def test_listing_keys_warns_about_a_published_key_missing_on_this_host(
    key_dir, signing_key, append, other_host
):
    append("T0001", 1)
    other_host(False)
    new = keys.key_rotate(overlap_hours=1)

    here, there = io.StringIO(), io.StringIO()
    call_command("auditsvc_keys", "list", stdout=io.StringIO(), stderr=here)
    other_host(True)
    call_command("auditsvc_keys", "list", stdout=io.StringIO(), stderr=there)

    assert here.getvalue() == ""
    assert new.key_id in there.getvalue()
    assert "copy" in there.getvalue()
    assert signing_key.key_id not in there.getvalue()
    assert [row.key_id for row in keys.published_keys_missing_here()] == [new.key_id]
