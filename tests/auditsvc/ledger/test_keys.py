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

from auditsvc.core import keys as core_keys
from auditsvc.core import notes
from auditsvc.ledger import keys, publishing
from auditsvc.ledger.checkpoints import checkpoint_sign, checkpoint_sign_due
from auditsvc.ledger.errors import KeyFileExposed, NoSigningKey
from auditsvc.ledger.models import BUREAU_LOG_ID, LedgerEntry, PublishedKey

pytestmark = pytest.mark.django_db


def bureau_entries(kind: str) -> list[dict]:
    rows = LedgerEntry.objects.filter(log_id=BUREAU_LOG_ID, kind=kind).order_by("seq")
    return [json.loads(row.canonical)["body"] for row in rows]


def verifier(row: PublishedKey) -> core_keys.VerifierKey:
    return core_keys.VerifierKey.from_string(row.verifier_key)


def test_it_loads_keys_from_the_directory_and_the_environment(key_dir, settings, signing_key):
    operator_key = core_keys.SigningKey.generate("ops.example")
    settings.AUDITSVC_SIGNING_KEY = operator_key.private_string()

    loaded = keys.load_private_keys()

    assert set(loaded) == {signing_key.key_id, operator_key.key_id}


def write_private(path, text: str) -> None:
    path.write_text(text)
    path.chmod(0o600)


def test_it_sees_a_key_file_added_by_another_process(key_dir):
    assert len(keys.load_private_keys()) == 1
    added = core_keys.SigningKey.generate("audit.example")
    write_private(key_dir / f"{added.key_id}.key", added.private_string())

    assert added.key_id in keys.load_private_keys()


def test_a_malformed_key_file_is_refused_without_showing_its_content(key_dir):
    write_private(key_dir / "broken.key", "PRIVATE+KEY+audit.example+00000000+c2VjcmV0LXNlZWQ=")

    with pytest.raises(core_keys.KeyFormatError) as raised:
        keys.load_private_keys()

    assert "broken.key" in str(raised.value)
    assert "c2VjcmV0LXNlZWQ" not in str(raised.value)


def test_generating_a_key_writes_a_private_file_and_publishes_it(key_dir, staff, settings):
    row = publishing.key_generate(actor=staff)

    path = key_dir / f"{row.key_id}.key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    private = core_keys.SigningKey.from_private_string(path.read_text())
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
        "actor_id": staff.pk,
    }
    assert not [p for p in key_dir.iterdir() if not p.name.endswith(".key")]


def test_the_newest_published_key_signs_new_entries(key_dir, append):
    append("T0001", 1)
    row = publishing.key_generate()

    [entry] = append("T0001", 1)

    assert entry.key_id == row.key_id
    assert keys.entry_signing_key().key_id == row.key_id


@pytest.fixture
def operator_key(settings, tmp_path):
    """A key an operator put into the environment by hand (no key directory)."""
    key = core_keys.SigningKey.generate("ops.example")
    settings.AUDITSVC_KEY_DIR = tmp_path / "none"
    settings.AUDITSVC_SIGNING_KEY = key.private_string()
    keys.forget_loaded_keys()
    yield key
    keys.forget_loaded_keys()


def test_a_hand_provisioned_key_signs_nothing_until_it_is_published(operator_key, append):
    before = LedgerEntry.objects.count()

    with pytest.raises(NoSigningKey, match="auditsvc_keys publish"):
        append("T0001", 1)

    assert LedgerEntry.objects.count() == before
    assert not PublishedKey.objects.filter(pk=operator_key.key_id).exists()


def test_publishing_a_hand_provisioned_key_is_a_bureau_decision(operator_key, append, staff):
    [row] = publishing.key_publish(actor=staff)

    assert row.verifier_key == operator_key.verifier_string()
    [published] = bureau_entries("key.published")
    assert published["key_id"] == operator_key.key_id
    assert (published["actor"], published["actor_id"]) == ("staff", staff.pk)
    # The key signs the entry that records its own publication, and then everything else.
    [entry] = append("T0001", 1)
    assert entry.key_id == operator_key.key_id
    assert core_keys.verify_entry(verifier(row), bytes(entry.leaf_hash), bytes(entry.signature))
    assert publishing.key_publish(actor=staff) == []


def test_the_publish_command_publishes_and_then_has_nothing_to_do(operator_key, db):
    out = io.StringIO()
    call_command("auditsvc_keys", "publish", stdout=out)
    call_command("auditsvc_keys", "publish", stdout=out)

    assert f"Published key {operator_key.key_id}" in out.getvalue()
    assert "published already" in out.getvalue()
    assert PublishedKey.objects.filter(pk=operator_key.key_id).exists()


def test_listing_keys_warns_about_a_loaded_key_that_is_not_published(operator_key, db):
    err = io.StringIO()
    call_command("auditsvc_keys", "list", stdout=io.StringIO(), stderr=err)

    assert operator_key.key_id in err.getvalue()
    assert "auditsvc_keys publish" in err.getvalue()


@pytest.mark.parametrize("exposed", ["file", "directory"])
def test_a_key_readable_by_others_is_refused_unless_debug(key_dir, signing_key, settings, exposed):
    path = key_dir / f"{signing_key.key_id}.key"
    (path if exposed == "file" else key_dir).chmod(0o644 if exposed == "file" else 0o755)
    keys.forget_loaded_keys()

    with pytest.raises(KeyFileExposed, match=f"{exposed} .* chmod"):
        keys.load_private_keys()

    settings.DEBUG = True
    assert signing_key.key_id in keys.load_private_keys()


def test_a_retired_key_signs_nothing(key_dir, signing_key, append):
    append("T0001", 1)
    PublishedKey.objects.filter(pk=signing_key.key_id).update(
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

    new = publishing.key_rotate(actor=staff, overlap_hours=5)

    old = PublishedKey.objects.get(pk=signing_key.key_id)
    assert old.retired_at is not None
    assert (
        before + dt.timedelta(hours=5) <= old.retired_at <= timezone.now() + dt.timedelta(hours=5)
    )
    assert PublishedKey.objects.get(pk=new.key_id).retired_at is None
    [published] = bureau_entries("key.published")
    [retired] = bureau_entries("key.retired")
    assert published["key_id"] == new.key_id
    assert retired["key_id"] == signing_key.key_id
    assert retired["replaced_by"] == new.key_id
    assert (retired["actor"], retired["actor_id"]) == ("staff", staff.pk)
    # The rotation's own entries are already signed by the new key.
    assert set(
        LedgerEntry.objects.filter(log_id=BUREAU_LOG_ID).values_list("key_id", flat=True)
    ) == {new.key_id}


def test_during_the_overlap_checkpoints_carry_both_signatures(key_dir, signing_key, append):
    append("T0001", 2)
    new = publishing.key_rotate(overlap_hours=1)

    [entry] = append("T0001", 1)
    checkpoint = checkpoint_sign("T0001")

    assert entry.key_id == new.key_id
    assert checkpoint.key_ids == f"{signing_key.key_id},{new.key_id}"
    old = PublishedKey.objects.get(pk=signing_key.key_id)
    # An auditor who pinned either key can follow the log across the rotation.
    for pinned in (old, new):
        text, _ = notes.open_note(checkpoint.note, [verifier(pinned)])
        assert notes.parse_checkpoint(text).size == 3
    response = APIClient().get("/api/v1/keys")
    listed = {key["key_id"]: key for key in response.json()["keys"]}
    assert set(listed) == {signing_key.key_id, new.key_id}
    assert listed[signing_key.key_id]["retired_at"] is not None


def test_after_the_overlap_only_the_new_key_signs_checkpoints(key_dir, signing_key, append):
    append("T0001", 2)
    new = publishing.key_rotate(overlap_hours=0)

    checkpoint = checkpoint_sign("T0001")

    assert checkpoint.key_ids == new.key_id
    assert [k.key_id for k in keys.checkpoint_signing_keys()] == [new.key_id]


def test_a_failed_publication_leaves_no_key_file(key_dir, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("database gone")

    monkeypatch.setattr(publishing, "ledger_append", broken)

    with pytest.raises(RuntimeError):
        publishing.key_generate()
    assert [p.name for p in key_dir.iterdir()] == [f"{k}.key" for k in keys.load_private_keys()]
    assert len(keys.load_private_keys()) == 1


def test_the_command_generates_lists_and_rotates(key_dir, signing_key, append):
    append("T0001", 1)
    out = io.StringIO()

    call_command("auditsvc_keys", "generate", stdout=out)
    generated = PublishedKey.objects.exclude(pk=signing_key.key_id).get()
    call_command("auditsvc_keys", "rotate", "--overlap-hours", "2", stdout=out)
    call_command("auditsvc_keys", "list", stdout=out)

    output = out.getvalue()
    assert f"Generated and published key {generated.key_id}." in output
    assert generated.verifier_key in output
    assert PublishedKey.objects.count() == 3
    assert PublishedKey.objects.filter(retired_at__isnull=True).count() == 1
    listing = output[output.index("key_id") :]
    for row in PublishedKey.objects.all():
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
    new = publishing.key_rotate(overlap_hours=1)  # the new key file is on this host only, so far

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
    new = publishing.key_rotate(overlap_hours=1)

    here, there = io.StringIO(), io.StringIO()
    call_command("auditsvc_keys", "list", stdout=io.StringIO(), stderr=here)
    other_host(True)
    call_command("auditsvc_keys", "list", stdout=io.StringIO(), stderr=there)

    assert here.getvalue() == ""
    assert new.key_id in there.getvalue()
    assert "copy" in there.getvalue()
    assert signing_key.key_id not in there.getvalue()
    assert [row.key_id for row in keys.published_keys_missing_here()] == [new.key_id]
