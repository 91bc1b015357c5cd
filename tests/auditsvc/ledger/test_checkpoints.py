"""Signed checkpoints: the C2SP note format, what is due, the task and the command."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from auditsvc.base.errors import NotFound
from auditsvc.core import keys as core_keys
from auditsvc.core import notes
from auditsvc.ledger.checkpoints import checkpoint_sign, checkpoint_sign_due, checkpoints_due
from auditsvc.ledger.models import PublishedKey, SignedCheckpoint
from auditsvc.ledger.selectors import latest_checkpoint, log_root
from auditsvc.ledger.tasks import sign_checkpoints

pytestmark = pytest.mark.django_db


def published_verifiers() -> list[core_keys.VerifierKey]:
    return [
        core_keys.VerifierKey.from_string(row.verifier_key) for row in PublishedKey.objects.all()
    ]


def test_a_checkpoint_is_a_signed_note_of_the_log_head(append, settings, signing_key):
    append("T0001", 11)

    checkpoint = checkpoint_sign("T0001")

    text, signers = notes.open_note(checkpoint.note, published_verifiers())
    assert signers == [settings.AUDITSVC_ORIGIN]
    parsed = notes.parse_checkpoint(text)
    assert parsed.origin == f"{settings.AUDITSVC_ORIGIN}/T0001"
    assert parsed.size == 11 == checkpoint.size
    assert parsed.root == log_root("T0001", 11) == bytes(checkpoint.root_hash)
    assert checkpoint.key_ids == signing_key.key_id
    assert text.count("\n") == 3
    assert "\n\n\u2014 " in checkpoint.note


def test_a_checkpoint_does_not_verify_under_another_key(append, settings):
    append("T0001", 2)
    checkpoint = checkpoint_sign("T0001")
    stranger = core_keys.SigningKey.generate(settings.AUDITSVC_ORIGIN).verifier()

    with pytest.raises(notes.NoteError):
        notes.open_note(checkpoint.note, [stranger])


def test_an_unknown_log_cannot_be_signed(db):
    with pytest.raises(NotFound):
        checkpoint_sign("P9999")


def test_a_log_is_due_until_signed_and_again_once_it_grows(append):
    append("T0001", 3)
    assert checkpoints_due() == ["T0001"]

    checkpoint_sign("T0001")
    assert checkpoints_due() == []

    append("T0001", 1)
    assert checkpoints_due() == ["T0001"]


def test_an_idle_log_is_due_again_after_the_maximum_age(append, settings):
    append("T0001", 3)
    checkpoint_sign("T0001")
    max_age = dt.timedelta(minutes=settings.AUDITSVC_CHECKPOINT_MAX_AGE_MINUTES)

    assert checkpoints_due(now=timezone.now() + max_age - dt.timedelta(minutes=1)) == []
    assert checkpoints_due(now=timezone.now() + max_age + dt.timedelta(minutes=1)) == ["T0001"]


def test_a_log_whose_newest_checkpoint_lacks_a_current_key_is_due(append, signing_key):
    append("T0001", 3)
    checkpoint_sign("T0001")

    assert checkpoints_due(key_ids=[signing_key.key_id]) == []
    assert checkpoints_due(key_ids=[signing_key.key_id, "0badcafe"]) == ["T0001"]
    # A key id that only contains another one (or is contained in it) is another key.
    assert checkpoints_due(key_ids=[signing_key.key_id[:6]]) == ["T0001"]


def test_signing_what_is_due_is_idempotent(append):
    append("T0001", 3)
    append("T0002", 1)

    first = checkpoint_sign_due()
    second = checkpoint_sign_due()

    assert sorted(c.log_id for c in first) == ["T0001", "T0002"]
    assert second == []
    assert SignedCheckpoint.objects.count() == 2


def test_the_newest_checkpoint_is_the_largest_one(append):
    append("T0001", 3)
    checkpoint_sign("T0001")
    append("T0001", 2)
    newest = checkpoint_sign("T0001")

    assert latest_checkpoint("T0001") == newest
    assert latest_checkpoint("T0001").size == 5


def test_the_task_signs_what_is_due(append):
    append("T0001", 3)

    assert sign_checkpoints() == 1
    assert sign_checkpoints() == 0
    assert SignedCheckpoint.objects.get().size == 3


def test_the_task_is_registered_under_the_name_beat_uses():
    from config.celery import BEAT_SCHEDULE, app

    assert BEAT_SCHEDULE["sign-checkpoints"]["task"] == sign_checkpoints.name
    assert sign_checkpoints.name in app.tasks
    assert sign_checkpoints.acks_late is True


def test_the_command_signs_what_is_due_or_the_log_named(append):
    append("T0001", 3)
    out = io.StringIO()

    call_command("auditsvc_checkpoint", stdout=out)
    call_command("auditsvc_checkpoint", stdout=out)
    call_command("auditsvc_checkpoint", "--log", "T0001", stdout=out)

    lines = out.getvalue().splitlines()
    assert lines[0].startswith("signed T0001@3 by ")
    assert lines[1] == "No log is due for a checkpoint."
    assert lines[2].startswith("signed T0001@3 by ")
    assert SignedCheckpoint.objects.count() == 2
