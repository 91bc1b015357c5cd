"""Registering a partner: validated fields, the next code, a bureau-log entry."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from partners.choices import PartnerKind, PartnerStatus
from partners.kinds import RegistryKind
from partners.models import Partner, PartnerQuerySet
from partners.services.vetting import partner_register
from tests import factories

from .support import bureau_entries, entry_body, ledger_size

HUAWEI = "914403001922038216"


def _register(actor, **overrides) -> Partner:
    arguments = {
        "legal_name": "Dengzhou Helper Technology Co., Ltd.",
        "uscc": factories.make_uscc(seed=4242),
        "kind": PartnerKind.ENROLMENT_PARTNER,
        "contact_name": "Li Wei",
        "contact_email": "li.wei@helper.example",
        "dpo_name": "Wang Fang",
        "dpo_email": "dpo@helper.example",
        "address": "1 Renmin Road, Dengzhou, Henan",
    }
    arguments.update(overrides)
    return partner_register(actor=actor, **arguments)


def test_it_registers_an_applied_partner_with_the_next_code(staff):
    first = _register(staff)
    second = _register(staff, uscc=HUAWEI, legal_name="Huawei")

    assert (first.code, second.code) == ("P0001", "P0002")
    assert first.status == PartnerStatus.APPLIED
    assert Partner.objects.get(code="P0002").uscc == HUAWEI


def test_it_records_the_registration_in_the_bureau_log(staff):
    partner = _register(staff, uscc=HUAWEI)

    [entry] = bureau_entries(RegistryKind.PARTNER_REGISTERED)
    body = entry_body(entry)
    assert body["partner"] == partner.code
    assert body["uscc"] == HUAWEI
    assert body["kind"] == "enrolment_partner"
    assert body["status"] == "applied"
    assert body["parent"] is None
    assert body["actor"] == "staff"


def test_a_subcontractor_names_its_parent(staff, vetted_partner):
    partner = _register(staff, parent=vetted_partner)
    assert partner.parent == vetted_partner
    assert entry_body(bureau_entries(RegistryKind.PARTNER_REGISTERED)[-1])["parent"] == (
        vetted_partner.code
    )


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"uscc": "914403001922038217"}, "uscc"),
        ({"uscc": "91440300708461136t"}, "uscc"),
        ({"kind": "bank"}, "kind"),
        ({"contact_email": "not-an-address"}, "contact_email"),
        ({"dpo_email": ""}, "dpo_email"),
        ({"legal_name": ""}, "legal_name"),
    ],
)
def test_it_refuses_bad_fields_and_records_nothing(staff, overrides, field):
    size = ledger_size()
    with pytest.raises(ValidationError) as exc:
        _register(staff, **overrides)
    assert field in exc.value.message_dict
    assert not Partner.objects.exists()
    assert ledger_size() == size


def test_it_refuses_a_credit_code_registered_before(staff):
    _register(staff, uscc=HUAWEI)
    with pytest.raises(ValidationError) as exc:
        _register(staff, uscc=HUAWEI, legal_name="Huawei again")
    assert set(exc.value.message_dict) == {"uscc"}
    assert Partner.objects.count() == 1


def test_it_retries_when_another_registration_took_the_code(staff, monkeypatch):
    _register(staff, uscc=HUAWEI)  # P0001
    real_next_code = PartnerQuerySet.next_code
    answers = iter(["P0001"])  # a concurrent registration read the same "next" code

    def racing_next_code(self):
        return next(answers, None) or real_next_code(self)

    monkeypatch.setattr(PartnerQuerySet, "next_code", racing_next_code)

    partner = _register(staff)

    assert partner.code == "P0002"
    assert len(bureau_entries(RegistryKind.PARTNER_REGISTERED)) == 2


def test_the_registrant_is_recorded_and_known_again_from_the_bureau_log(staff, approver):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("partners.migrations.0003_partner_registered_by")
    first = _register(staff)
    second = _register(approver, uscc=HUAWEI, legal_name="Huawei")
    assert (first.registered_by, second.registered_by) == (staff, approver)

    # Partners registered before the field existed: the migration reads the bureau log.
    Partner.objects.update(registered_by=None)
    migration.registrants_from_the_bureau_log(apps, None)

    assert dict(Partner.objects.values_list("code", "registered_by")) == {
        first.code: staff.pk,
        second.code: approver.pk,
    }
