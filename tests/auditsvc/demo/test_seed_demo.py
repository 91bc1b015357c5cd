"""manage.py seed_demo: demo users, vetted partners, working keys; safe to run twice."""

from __future__ import annotations

import base64
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from auditsvc.core.keys import VerifierKey
from partners.kinds import RegistryKind
from partners.models import Agent, Partner, VettingDecision
from tests.conftest import bearer_client
from tests.db_scan import scan_database
from tests.partners.support import bureau_entries, ledger_size

pytestmark = pytest.mark.django_db

# An authenticated endpoint answers 401 to a revoked key (the public key list would not
# notice): a receipt of the bureau log for the auditor, of its own log for a partner.
KEYS_PROBE = "/api/v1/receipts/bureau/0"


def own_receipt(partner: dict) -> str:
    return f"/api/v1/receipts/{partner['log_id']}/0"


def seed(*args) -> str:
    # The tests run with DEBUG off, like production: the command needs --force there.
    out = io.StringIO()
    call_command("seed_demo", "--force", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def seed_json() -> dict:
    return json.loads(seed("--json"))


def test_it_prints_the_documented_json_object():
    data = seed_json()
    assert {"partners", "auditor", "verifier_key", "users"} <= data.keys()
    for partner in data["partners"]:
        assert {"code", "kind", "log_id", "api_key", "agents", "region_codes"} <= partner.keys()
        assert partner["log_id"] == partner["code"]
        assert partner["api_key"].startswith("ask_")
    enrolment = [p for p in data["partners"] if p["kind"] == "enrolment_partner"]
    platforms = [p for p in data["partners"] if p["kind"] == "account_platform"]
    assert len(enrolment) == 2 and len(platforms) == 1
    assert {code for p in enrolment for code in p["region_codes"]} == {"411381", "411302"}
    assert all(p["agents"] == ["A-0001", "A-0002", "A-0003"] for p in enrolment)
    assert set(data["auditor"]) >= {"username", "password", "api_token"}
    assert data["auditor"]["api_token"].startswith("ast_")
    VerifierKey.from_string(data["verifier_key"])  # a well-formed note verifier key
    assert {u["username"] for u in data["users"]} == {
        "staff",
        "approver",
        "approver2",
        "auditor",
        "security",
    }
    for user in data["users"]:
        assert len(user["backup_codes"]) == 5 and user["totp_secret"]


def test_it_goes_through_the_services_so_the_bureau_log_holds_real_decisions():
    seed_json()
    assert Partner.objects.filter(status="approved").count() == 3
    decisions = VettingDecision.objects.order_by("decided_at")
    assert {(d.actor.username, d.to_status) for d in decisions} == {
        ("staff", "under_review"),
        ("approver", "approved"),
    }
    assert len(bureau_entries(RegistryKind.PARTNER_VETTING)) == 6
    assert len(bureau_entries(RegistryKind.AUTHORISATION_GRANTED)) == 2
    authorisation = Partner.objects.get(code="P0001").authorisations.get()
    assert (authorisation.hours_start.hour, authorisation.hours_end.hour) == (8, 20)
    assert authorisation.daily_cap_per_agent and authorisation.daily_cap_per_partner


def test_it_can_run_again_with_fresh_keys_and_the_same_partners():
    first = seed_json()
    second = seed_json()
    assert [p["code"] for p in first["partners"]] == [p["code"] for p in second["partners"]]
    assert Partner.objects.count() == 3 and Agent.objects.count() == 6
    for old, new in zip(first["partners"], second["partners"], strict=True):
        assert old["api_key"] != new["api_key"]
        # The key printed by the first run no longer works; the new one does.
        assert bearer_client(old["api_key"]).get(own_receipt(new)).status_code == 401
        assert bearer_client(new["api_key"]).get(own_receipt(new)).status_code == 200
    assert bearer_client(first["auditor"]["api_token"]).get(KEYS_PROBE).status_code == 401
    assert bearer_client(second["auditor"]["api_token"]).get(KEYS_PROBE).status_code == 200
    first_totp = {u["username"]: u["totp_secret"] for u in first["users"]}
    assert first_totp == {u["username"]: u["totp_secret"] for u in second["users"]}


def test_its_partner_keys_work_against_the_api():
    data = seed_json()
    url = reverse("ledger-receipt", args=[data["partners"][0]["log_id"], 0])
    for partner in data["partners"]:
        response = bearer_client(partner["api_key"]).get(own_receipt(partner))
        assert response.status_code == 200, (partner["code"], response.content)
    assert bearer_client(data["auditor"]["api_token"]).get(url).status_code == 200


def test_its_users_can_sign_in_to_the_admin():
    data = seed_json()
    for user in data["users"]:
        device = TOTPDevice.objects.get(user__username=user["username"], confirmed=True)
        assert base64.b32decode(user["totp_secret"]) == device.bin_key
        code = f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"
        client = Client()
        response = client.post(
            "/admin/login/",
            {"username": user["username"], "password": user["password"], "otp_token": code},
        )
        assert response.status_code == 302, user["username"]
        assert client.get("/admin/").status_code == 200
    staff = next(u for u in data["users"] if u["username"] == "staff")
    assert StaticToken.objects.filter(device__user__username="staff").count() == 5
    every_code = {code for user in data["users"] for code in user["backup_codes"]}
    assert scan_database(every_code) == [], "backup codes are kept only as keyed hashes"
    client = Client()
    response = client.post(
        "/admin/login/",
        {"username": "staff", "password": staff["password"], "otp_token": staff["backup_codes"][0]},
    )
    assert response.status_code == 302


def test_it_generates_a_signing_key_when_none_is_loaded(settings, tmp_path):
    from auditsvc.ledger import keys

    settings.AUDITSVC_KEY_DIR = tmp_path / "empty-keys"
    keys.forget_loaded_keys()
    try:
        data = seed_json()
        assert list((tmp_path / "empty-keys").glob("*.key"))
        assert data["verifier_key"] == keys.entry_signing_key().verifier_string()
    finally:
        keys.forget_loaded_keys()


def test_it_prints_a_readable_summary_by_default():
    out = seed()
    for text in (
        "http://127.0.0.1:8000/admin/",
        "staff",
        "approver2",
        "P0001",
        "ask_",
        "ast_",
        "docs/auditors.md",
    ):
        assert text in out


def test_it_refuses_to_run_with_debug_off_unless_forced(settings, staff):
    settings.DEBUG = False
    password_hash = staff.password
    size = ledger_size()

    with pytest.raises(CommandError, match="--force"):
        call_command("seed_demo", stdout=io.StringIO(), stderr=io.StringIO())

    assert ledger_size() == size
    assert not Partner.objects.exists()
    staff.refresh_from_db()
    assert staff.password == password_hash


def test_it_runs_without_force_when_debug_is_on(settings):
    settings.DEBUG = True
    out = io.StringIO()
    call_command("seed_demo", "--json", stdout=out, stderr=io.StringIO())
    assert Partner.objects.filter(status="approved").count() == 3
    assert json.loads(out.getvalue())["partners"]


def test_force_also_works_from_python(settings):
    settings.DEBUG = False
    out = io.StringIO()
    call_command("seed_demo", json=True, force=True, stdout=out, stderr=io.StringIO())
    assert len(json.loads(out.getvalue())["partners"]) == 3


def test_it_issues_a_letter_to_each_enrolment_partner_and_lists_the_numbers():
    from django.test import Client

    from partners.models import Letter

    data = seed_json()
    enrolment = [p for p in data["partners"] if p["kind"] == "enrolment_partner"]
    platform = next(p for p in data["partners"] if p["kind"] == "account_platform")
    assert platform["letters"] == []
    for partner in enrolment:
        [number] = partner["letters"]
        letter = Letter.objects.get(number=number)
        assert letter.partner.code == partner["code"]
        assert letter.issued_by.username == "approver"
        page = Client().get(f"/verify/letters/{number}")
        assert page.status_code == 200 and b'data-status="valid"' in page.content
    assert len(bureau_entries(RegistryKind.LETTER_ISSUED)) == 2
    # A second run keeps the letters that are still good.
    again = seed_json()
    assert [p["letters"] for p in again["partners"]] == [p["letters"] for p in data["partners"]]
    assert len(bureau_entries(RegistryKind.LETTER_ISSUED)) == 2
