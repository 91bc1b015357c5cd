"""Granting and revoking authorisations: strict scope validation, full scope in the ledger."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from partners import errors
from partners.kinds import RegistryKind
from partners.models import Authorisation
from partners.services.authorisations import authorisation_grant, authorisation_revoke

from .support import bureau_entries, entry_body, ledger_size


def _grant(partner, actor, **overrides) -> Authorisation:
    arguments = {
        "letter_number": "YBJ-2026-0042",
        "regions": ["411381", "4114"],
        "purposes": ["card_activation", "card_registration"],
        "fields": ["name", "id_number"],
        "valid_from": dt.date(2026, 1, 1),
        "valid_until": dt.date(2026, 12, 31),
    }
    arguments.update(overrides)
    return authorisation_grant(partner, actor=actor, **arguments)


def test_it_grants_an_authorisation_and_records_its_full_scope(pending_partner, staff):
    authorisation = _grant(
        pending_partner,
        staff,
        hours_start=dt.time(9, 30),
        hours_end=dt.time(17),
        daily_cap_per_agent=40,
        daily_cap_per_partner=400,
    )

    authorisation.refresh_from_db()
    assert authorisation.partner == pending_partner
    assert authorisation.created_by == staff
    assert authorisation.regions == ["411381", "4114"]
    [entry] = bureau_entries(RegistryKind.AUTHORISATION_GRANTED)
    body = entry_body(entry)
    assert body == {
        "partner": pending_partner.code,
        "authorisation": authorisation.pk,
        "letter_number": "YBJ-2026-0042",
        "regions": ["411381", "4114"],
        "purposes": ["card_activation", "card_registration"],
        "fields": ["name", "id_number"],
        "valid_from": "2026-01-01",
        "valid_until": "2026-12-31",
        "hours_start": "09:30:00",
        "hours_end": "17:00:00",
        "daily_cap_per_agent": 40,
        "daily_cap_per_partner": 400,
        "actor": "staff",
        "actor_id": staff.pk,
        "granted_at": body["granted_at"],
    }


def test_the_defaults_are_office_hours_and_no_caps(pending_partner, staff):
    authorisation = _grant(pending_partner, staff)
    assert (authorisation.hours_start, authorisation.hours_end) == (dt.time(8), dt.time(18))
    assert authorisation.daily_cap_per_agent is None
    assert authorisation.daily_cap_per_partner is None


def test_it_drops_duplicates_keeping_the_order(pending_partner, staff):
    authorisation = _grant(
        pending_partner,
        staff,
        regions=["4114", "41", "4114"],
        purposes=["info_update", "info_update"],
        fields=["phone", "name", "phone"],
    )
    assert authorisation.regions == ["4114", "41"]
    assert authorisation.purposes == ["info_update"]
    assert authorisation.fields == ["phone", "name"]


def test_a_single_day_authorisation_is_allowed(pending_partner, staff):
    day = dt.date(2026, 5, 1)
    authorisation = _grant(pending_partner, staff, valid_from=day, valid_until=day)
    assert authorisation.valid_from == authorisation.valid_until


@pytest.mark.parametrize(
    ("overrides", "fields"),
    [
        ({"regions": []}, {"regions"}),
        ({"regions": ["411"]}, {"regions"}),
        ({"regions": ["991381"]}, {"regions"}),
        ({"regions": "4113"}, {"regions"}),
        ({"purposes": []}, {"purposes"}),
        ({"purposes": ["open_bank_account"]}, {"purposes"}),
        ({"fields": ["name", "password"]}, {"fields"}),
        ({"fields": []}, {"fields"}),
        ({"valid_until": dt.date(2025, 12, 31)}, {"valid_until"}),
        ({"hours_start": dt.time(18), "hours_end": dt.time(8)}, {"hours_end"}),
        ({"hours_start": dt.time(9), "hours_end": dt.time(9)}, {"hours_end"}),
        ({"daily_cap_per_agent": 0}, {"daily_cap_per_agent"}),
        ({"daily_cap_per_partner": -5}, {"daily_cap_per_partner"}),
        ({"letter_number": ""}, {"letter_number"}),
        (
            {"regions": ["x"], "purposes": ["y"], "fields": ["z"]},
            {"regions", "purposes", "fields"},
        ),
    ],
)
def test_it_refuses_a_bad_scope_naming_the_fields(pending_partner, staff, overrides, fields):
    size = ledger_size()
    with pytest.raises(ValidationError) as exc:
        _grant(pending_partner, staff, **overrides)
    assert set(exc.value.message_dict) == fields
    assert not Authorisation.objects.exists()
    assert ledger_size() == size


def test_it_refuses_a_letter_number_used_before(pending_partner, vetted_partner, staff):
    _grant(vetted_partner, staff, letter_number="YBJ-1")
    with pytest.raises(ValidationError) as exc:
        _grant(pending_partner, staff, letter_number="YBJ-1")
    assert set(exc.value.message_dict) == {"letter_number"}


# --- Revoking ----------------------------------------------------------------------------


def test_it_revokes_and_records_who_and_why(vetted_partner, staff):
    authorisation = vetted_partner.authorisations.get()

    authorisation_revoke(authorisation, actor=staff, reason="letter withdrawn")

    authorisation.refresh_from_db()
    assert authorisation.revoked_at is not None
    assert authorisation.revoked_by == staff
    assert authorisation.revoke_reason == "letter withdrawn"
    [entry] = bureau_entries(RegistryKind.AUTHORISATION_REVOKED)
    body = entry_body(entry)
    assert body["letter_number"] == authorisation.letter_number
    assert body["partner"] == vetted_partner.code
    assert (body["reason"], body["actor"]) == ("letter withdrawn", "staff")


def test_it_refuses_to_revoke_twice(vetted_partner, staff, second_staff):
    authorisation = vetted_partner.authorisations.get()
    authorisation_revoke(authorisation, actor=staff, reason="withdrawn")
    stale = Authorisation.objects.get(pk=authorisation.pk)
    stale.revoked_at = None  # a stale copy must not fool the service
    size = ledger_size()

    with pytest.raises(errors.AuthorisationRevoked):
        authorisation_revoke(stale, actor=second_staff, reason="again")

    assert ledger_size() == size
    authorisation.refresh_from_db()
    assert authorisation.revoked_by == staff


def test_it_refuses_to_revoke_without_a_reason(vetted_partner, staff):
    authorisation = vetted_partner.authorisations.get()
    with pytest.raises(errors.ReasonRequired):
        authorisation_revoke(authorisation, actor=staff, reason=" ")
    authorisation.refresh_from_db()
    assert authorisation.revoked_at is None
