"""Partner API keys and staff tokens: shown once, stored as a hash, revoked with a record."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from auditsvc.ledger.models import LedgerEntry
from partners import errors
from partners.auth import PARTNER_KEY_PREFIX, STAFF_TOKEN_PREFIX, hash_key
from partners.kinds import RegistryKind
from partners.models import ApiCredential, StaffToken
from partners.services.credentials import (
    credential_issue,
    credential_revoke,
    staff_token_issue,
    staff_token_revoke,
)

from .support import bureau_entries, entry_body, ledger_size


def _all_values(model, pk) -> str:
    """Every column of one row, as the database holds it."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {model._meta.db_table} WHERE id = %s", [pk])  # noqa: S608
        return " ".join(str(value) for value in cursor.fetchone())


def test_it_issues_a_key_once_and_stores_only_its_hash(vetted_partner, staff):
    credential, key = credential_issue(vetted_partner, actor=staff, label="enrolment app")

    assert key.startswith(PARTNER_KEY_PREFIX) and len(key) > 40
    credential.refresh_from_db()
    assert credential.key_hash == hash_key(key)
    assert key.startswith(credential.prefix)
    assert credential.created_by == staff
    assert credential.is_active
    assert key not in _all_values(ApiCredential, credential.pk)
    assert not hasattr(credential, "key")


def test_two_keys_are_never_the_same(vetted_partner, staff):
    _, first = credential_issue(vetted_partner, actor=staff, label="a")
    _, second = credential_issue(vetted_partner, actor=staff, label="b")
    assert first != second


def test_it_records_the_prefix_never_the_key(vetted_partner, staff):
    credential, key = credential_issue(vetted_partner, actor=staff, label="enrolment app")

    [entry] = bureau_entries(RegistryKind.CREDENTIAL_ISSUED)
    body = entry_body(entry)
    assert body["prefix"] == credential.prefix
    assert (body["partner"], body["label"], body["actor"]) == (
        vetted_partner.code,
        "enrolment app",
        "staff",
    )
    assert not any(
        key in e.canonical or key[len(credential.prefix) :] in e.canonical
        for e in LedgerEntry.objects.all()
    )


def test_it_refuses_a_key_without_a_label(vetted_partner, staff):
    size = ledger_size()
    with pytest.raises(ValidationError) as exc:
        credential_issue(vetted_partner, actor=staff, label="  ")
    assert set(exc.value.message_dict) == {"label"}
    assert ledger_size() == size


def test_it_revokes_a_key_and_records_who_and_why(vetted_partner, staff):
    credential, _ = credential_issue(vetted_partner, actor=staff, label="old app")

    credential_revoke(credential, actor=staff, reason="laptop stolen")

    credential.refresh_from_db()
    assert not credential.is_active
    assert (credential.revoked_by, credential.revoke_reason) == (staff, "laptop stolen")
    [entry] = bureau_entries(RegistryKind.CREDENTIAL_REVOKED)
    body = entry_body(entry)
    assert (body["prefix"], body["reason"], body["actor"]) == (
        credential.prefix,
        "laptop stolen",
        "staff",
    )


def test_it_refuses_to_revoke_a_key_twice(vetted_partner, staff, second_staff):
    credential, _ = credential_issue(vetted_partner, actor=staff, label="old app")
    credential_revoke(credential, actor=staff, reason="laptop stolen")
    stale = ApiCredential.objects.get(pk=credential.pk)
    stale.revoked_at = None
    size = ledger_size()

    with pytest.raises(errors.CredentialRevoked):
        credential_revoke(stale, actor=second_staff, reason="again")

    assert ledger_size() == size
    assert ApiCredential.objects.get(pk=credential.pk).revoked_by == staff


def test_it_refuses_to_revoke_without_a_reason(vetted_partner, staff):
    credential, _ = credential_issue(vetted_partner, actor=staff, label="app")
    with pytest.raises(errors.ReasonRequired):
        credential_revoke(credential, actor=staff, reason="")
    assert ApiCredential.objects.get(pk=credential.pk).is_active


# --- Staff tokens ---------------------------------------------------------------------------


def test_it_issues_a_staff_token_stored_as_a_hash(auditor):
    token, key = staff_token_issue(auditor, label="court case 7")

    assert key.startswith(STAFF_TOKEN_PREFIX)
    token.refresh_from_db()
    assert (token.user, token.label, token.key_hash) == (auditor, "court case 7", hash_key(key))
    assert key not in _all_values(StaffToken, token.pk)


def test_it_revokes_a_staff_token_once(auditor, staff):
    token, _ = staff_token_issue(auditor, label="laptop")
    staff_token_revoke(token, actor=staff)
    assert StaffToken.objects.get(pk=token.pk).revoked_at is not None
    with pytest.raises(errors.CredentialRevoked):
        staff_token_revoke(StaffToken.objects.get(pk=token.pk), actor=staff)


def test_issuing_a_staff_token_is_recorded_in_the_bureau_log(auditor, staff):
    size = ledger_size()
    token, key = staff_token_issue(auditor, label="court case 7", actor=staff)

    [entry] = bureau_entries(RegistryKind.STAFF_TOKEN_ISSUED)
    body = entry_body(entry)
    # Usernames can change: every person is named by id as well.
    assert (body["user"], body["user_id"]) == ("auditor", auditor.pk)
    assert (body["actor"], body["actor_id"]) == ("staff", staff.pk)
    assert (body["prefix"], body["label"]) == (token.prefix, "court case 7")
    assert body["staff_token"] == token.pk
    assert key not in entry.canonical
    assert token.key_hash not in entry.canonical
    assert ledger_size() == size + 1


def test_revoking_a_staff_token_is_recorded_in_the_bureau_log(auditor, staff):
    token, key = staff_token_issue(auditor, label="laptop")
    staff_token_revoke(token, actor=staff)

    [issued] = bureau_entries(RegistryKind.STAFF_TOKEN_ISSUED)
    assert entry_body(issued)["actor"] is None  # from the command line
    [entry] = bureau_entries(RegistryKind.STAFF_TOKEN_REVOKED)
    body = entry_body(entry)
    assert (body["user"], body["prefix"], body["label"], body["actor"]) == (
        "auditor",
        token.prefix,
        "laptop",
        "staff",
    )
    assert (body["user_id"], body["actor_id"]) == (auditor.pk, staff.pk)
    assert key not in entry.canonical


def test_a_refused_staff_token_revocation_writes_nothing(auditor, staff):
    token, _ = staff_token_issue(auditor, label="laptop")
    staff_token_revoke(token, actor=staff)
    size = ledger_size()
    with pytest.raises(errors.CredentialRevoked):
        staff_token_revoke(StaffToken.objects.get(pk=token.pk), actor=staff)
    assert ledger_size() == size
