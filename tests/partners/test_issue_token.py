"""manage.py issue_token: prints a personal API token once; it works as a Bearer token."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from partners.auth import hash_key
from partners.models import StaffToken
from partners.services.vetting import vetting_suspend
from tests.conftest import bearer_client


def _issue(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("issue_token", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_it_prints_a_token_that_works_as_a_bearer_token(auditor, vetted_partner, staff):
    seq = vetting_suspend(vetted_partner, actor=staff, reason="test").ledger_seq

    out, err = _issue("auditor", "--label", "court case 7")

    token = out.strip()
    assert out == token + "\n"  # the token alone on stdout, for scripts
    assert "shown only once" in err
    row = StaffToken.objects.get(key_hash=hash_key(token))
    assert (row.user, row.label) == (auditor, "court case 7")
    response = bearer_client(token).get(f"/api/v1/receipts/bureau/{seq}")
    assert response.status_code == 200


def test_each_run_issues_a_new_token(auditor):
    first, _ = _issue("auditor")
    second, _ = _issue("auditor")
    assert first != second
    assert StaffToken.objects.filter(user=auditor).count() == 2


def test_it_stores_only_the_hash(auditor):
    out, _ = _issue("auditor")
    assert not StaffToken.objects.filter(key_hash=out.strip()).exists()
    assert not StaffToken.objects.filter(prefix=out.strip()).exists()


def test_it_refuses_an_unknown_user(db):
    with pytest.raises(CommandError, match="No user named 'nobody'"):
        _issue("nobody")


def test_it_refuses_an_inactive_user(auditor):
    auditor.is_active = False
    auditor.save()
    with pytest.raises(CommandError, match="inactive"):
        _issue("auditor")
    assert not StaffToken.objects.exists()
