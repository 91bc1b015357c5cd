"""Field agents: registered under pseudonyms only, status changes recorded."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from auditsvc.base.identities import phone_ref, resident_identity
from auditsvc.core.canonical import format_time
from auditsvc.ledger.models import LedgerEntry
from partners import errors
from partners.choices import AgentStatus
from partners.kinds import RegistryKind
from partners.models import Agent, AgentStatusChange
from partners.services.agents import agent_register, agent_set_status
from tests import factories

from .support import bureau_entries, entry_body, ledger_size

PHONE = "13812345678"
ID_NUMBER = factories.make_resident_id("411381", dt.date(1988, 6, 2), 457)


def _register(partner, actor, **overrides) -> Agent:
    arguments = {"code": "A-0100", "name": "Zhang San", "phone": PHONE, "id_number": ID_NUMBER}
    arguments.update(overrides)
    return agent_register(partner, actor=actor, **arguments)


def test_it_registers_an_active_agent_under_pseudonyms(vetted_partner, staff):
    agent = _register(vetted_partner, staff, registered_on=dt.date(2026, 3, 2))

    agent.refresh_from_db()
    assert agent.status == AgentStatus.ACTIVE
    assert agent.registered_on == dt.date(2026, 3, 2)
    assert agent.phone_ref == phone_ref(PHONE)
    assert agent.identity_ref == resident_identity("cn-resident-id", ID_NUMBER).identity_ref
    [entry] = bureau_entries(RegistryKind.AGENT_REGISTERED)
    body = entry_body(entry)
    assert (body["partner"], body["agent"], body["name"]) == (
        vetted_partner.code,
        "A-0100",
        "Zhang San",
    )
    assert body["identity_ref"] == agent.identity_ref
    assert body["actor"] == "staff"
    assert not agent.status_changes.exists()  # registered active: no change yet


def test_it_stores_no_raw_phone_or_id_number_anywhere(vetted_partner, staff):
    agent = _register(vetted_partner, staff)

    # The row as the database holds it, every column.
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {Agent._meta.db_table} WHERE id = %s", [agent.pk])  # noqa: S608
        row = cursor.fetchone()
    stored = " ".join(str(value) for value in row)
    for raw in (PHONE, ID_NUMBER, ID_NUMBER[:17], PHONE[-8:]):
        assert raw not in stored
    for entry in LedgerEntry.objects.all():
        assert PHONE not in entry.canonical
        assert PHONE[-8:] not in entry.canonical
        assert ID_NUMBER[:17] not in entry.canonical


def test_the_same_phone_written_differently_gets_the_same_pseudonym(vetted_partner, staff):
    first = _register(vetted_partner, staff, code="A-1", phone="138 1234 5678")
    second = _register(vetted_partner, staff, code="A-2", phone="+8613812345678")
    assert first.phone_ref == second.phone_ref


def test_it_accepts_a_lower_case_check_character(vetted_partner, staff):
    born = dt.date(1990, 1, 1)
    numbers = (factories.make_resident_id("411381", born, seq) for seq in range(1, 1000))
    number = next(n for n in numbers if n.endswith("X"))
    agent = _register(vetted_partner, staff, id_number=number.lower())
    assert agent.identity_ref == resident_identity("cn-resident-id", number).identity_ref


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"phone": "12"}, "phone"),
        ({"phone": "call me"}, "phone"),
        ({"id_number": ID_NUMBER[:17] + ("0" if ID_NUMBER[17] != "0" else "1")}, "id_number"),
        ({"id_number": "41138119881302457X"}, "id_number"),
        ({"id_number": "4113811988"}, "id_number"),
        ({"code": "A 0100"}, "code"),
        ({"code": ""}, "code"),
        ({"name": ""}, "name"),
    ],
)
def test_it_refuses_bad_details_without_echoing_them(vetted_partner, staff, overrides, field):
    size = ledger_size()
    with pytest.raises(ValidationError) as exc:
        _register(vetted_partner, staff, **overrides)
    assert set(exc.value.message_dict) == {field}
    for value in overrides.values():
        if len(value) > 3:
            assert value not in str(exc.value.message_dict)
    assert not Agent.objects.filter(code="A-0100").exists()
    assert ledger_size() == size


def test_agent_codes_are_unique_per_partner_only(vetted_partner, other_partner, staff):
    _register(vetted_partner, staff)
    with pytest.raises(ValidationError) as exc:
        _register(vetted_partner, staff, phone="13900000000")
    assert set(exc.value.message_dict) == {"code"}
    assert _register(other_partner, staff).partner == other_partner


# --- Status ---------------------------------------------------------------------------------


def test_it_suspends_an_agent_and_records_why(vetted_partner, staff):
    agent = vetted_partner.agents.get(code="A-0001")

    agent_set_status(agent, AgentStatus.SUSPENDED, actor=staff, reason="alert 12")

    assert Agent.objects.get(pk=agent.pk).status == AgentStatus.SUSPENDED
    assert agent.status == AgentStatus.SUSPENDED
    [entry] = bureau_entries(RegistryKind.AGENT_STATUS_CHANGED)
    body = entry_body(entry)
    assert (body["agent"], body["from"], body["to"], body["reason"]) == (
        "A-0001",
        "active",
        "suspended",
        "alert 12",
    )


def test_it_keeps_the_history_of_an_agents_status(vetted_partner, staff):
    agent = vetted_partner.agents.get(code="A-0001")

    agent_set_status(agent, AgentStatus.SUSPENDED, actor=staff, reason="alert 12")
    agent_set_status(agent, AgentStatus.ACTIVE, actor=staff, reason="cleared")

    suspended, reactivated = bureau_entries(RegistryKind.AGENT_STATUS_CHANGED)
    changes = list(AgentStatusChange.objects.filter(agent=agent).order_by("changed_at", "id"))
    assert [
        (change.from_status, change.to_status, change.actor, change.reason, change.ledger_seq)
        for change in changes
    ] == [
        ("active", "suspended", staff, "alert 12", suspended.seq),
        ("suspended", "active", staff, "cleared", reactivated.seq),
    ]
    assert entry_body(suspended)["changed_at"] == format_time(changes[0].changed_at)


def test_setting_the_same_status_records_nothing(vetted_partner, staff):
    agent = vetted_partner.agents.get(code="A-0001")
    size = ledger_size()
    agent_set_status(agent, "active", actor=staff, reason="no change")
    assert ledger_size() == size
    assert not agent.status_changes.exists()


def test_it_refuses_an_unknown_status_or_a_missing_reason(vetted_partner, staff):
    agent = vetted_partner.agents.get(code="A-0001")
    with pytest.raises(ValidationError):
        agent_set_status(agent, "promoted", actor=staff, reason="why not")
    with pytest.raises(errors.ReasonRequired):
        agent_set_status(agent, "left", actor=staff, reason="")
    assert Agent.objects.get(pk=agent.pk).status == AgentStatus.ACTIVE
