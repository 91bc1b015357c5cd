"""Roles are granted and removed by security officers, through services that leave a trace."""

from __future__ import annotations

import json

import pytest

from auditsvc.ledger.models import LedgerEntry
from auditsvc.site import errors
from auditsvc.site.kinds import SiteKind
from auditsvc.site.services.roles import role_grant, role_remove, roles_of
from partners import roles
from tests import factories

pytestmark = pytest.mark.django_db


def entries(kind: str) -> list[dict]:
    return [
        json.loads(entry.canonical)["body"]
        for entry in LedgerEntry.objects.filter(log_id="bureau", kind=kind).order_by("seq")
    ]


def bureau_size() -> int:
    return LedgerEntry.objects.filter(log_id="bureau").count()


@pytest.fixture
def newcomer(role_groups):
    return factories.UserFactory(username="newcomer", is_staff=False)


def test_a_security_officer_grants_a_role_and_the_bureau_log_says_who_and_why(
    security_officer, newcomer
):
    held = role_grant(
        newcomer, roles.BUREAU_STAFF, actor=security_officer, reason="Joined the vetting desk."
    )

    assert held == [roles.BUREAU_STAFF] == roles_of(newcomer)
    newcomer.refresh_from_db()
    assert newcomer.is_staff  # roles are used in the admin
    assert newcomer.has_perm("partners.review_partner")
    [entry] = entries(SiteKind.ROLE_GRANTED)
    assert entry == {
        "user": "newcomer",
        "user_id": newcomer.pk,
        "role": roles.BUREAU_STAFF,
        "roles": [roles.BUREAU_STAFF],
        "reason": "Joined the vetting desk.",
        "actor": "officer",
        "actor_id": security_officer.pk,
        "granted_at": entry["granted_at"],
    }


def test_a_security_officer_removes_a_role_and_it_takes_effect_at_once(security_officer, approver):
    assert approver.has_perm("partners.approve_partner")

    held = role_remove(approver, roles.APPROVERS, actor=security_officer, reason="Moved desks.")

    assert held == [roles.BUREAU_STAFF]
    fresh = type(approver).objects.get(pk=approver.pk)
    assert not fresh.has_perm("partners.approve_partner")
    [entry] = entries(SiteKind.ROLE_REMOVED)
    assert (entry["user"], entry["user_id"], entry["role"]) == (
        "approver",
        approver.pk,
        roles.APPROVERS,
    )
    assert (entry["actor"], entry["actor_id"], entry["reason"]) == (
        "officer",
        security_officer.pk,
        "Moved desks.",
    )


@pytest.mark.parametrize("change", [role_grant, role_remove])
def test_nobody_changes_their_own_roles(change, security_officer, superuser):
    role = roles.AUDITORS if change is role_grant else roles.SECURITY_OFFICERS
    with pytest.raises(errors.OwnAccount):
        change(security_officer, role, actor=security_officer, reason="Myself.")
    # Not even a superuser, who holds every permission.
    with pytest.raises(errors.OwnAccount):
        role_grant(superuser, roles.AUDITORS, actor=superuser, reason="Myself.")
    assert roles_of(security_officer) == [roles.SECURITY_OFFICERS]
    assert bureau_size() == 0


@pytest.mark.parametrize("persona", ["staff", "approver", "auditor"])
def test_only_a_security_officer_changes_roles(request, persona, newcomer):
    actor = request.getfixturevalue(persona)
    with pytest.raises(errors.AccountChangeNotPermitted):
        role_grant(newcomer, roles.APPROVERS, actor=actor, reason="Please.")
    with pytest.raises(errors.AccountChangeNotPermitted):
        role_grant(actor, roles.APPROVERS, actor=actor, reason="Myself.")
    assert roles_of(newcomer) == []
    assert bureau_size() == 0


@pytest.mark.parametrize("role", [roles.BUREAU_STAFF, roles.APPROVERS])
def test_a_security_officer_cannot_also_be_staff_or_approver(
    role, security_officer, second_security_officer
):
    with pytest.raises(errors.SeparationOfDuties) as exc:
        role_grant(second_security_officer, role, actor=security_officer, reason="Help out.")
    assert exc.value.code == "separation_of_duties"
    assert roles.SECURITY_OFFICERS in str(exc.value)
    assert not second_security_officer.has_perm("partners.review_partner")
    assert bureau_size() == 0


@pytest.mark.parametrize("persona", ["staff", "approver"])
def test_staff_and_approvers_cannot_become_security_officers(request, persona, security_officer):
    user = request.getfixturevalue(persona)
    with pytest.raises(errors.SeparationOfDuties):
        role_grant(user, roles.SECURITY_OFFICERS, actor=security_officer, reason="Promotion.")
    assert roles.SECURITY_OFFICERS not in roles_of(user)


def test_an_auditor_may_also_be_a_security_officer(security_officer, auditor):
    role_grant(auditor, roles.SECURITY_OFFICERS, actor=security_officer, reason="Second hat.")
    assert roles_of(auditor) == [roles.AUDITORS, roles.SECURITY_OFFICERS]


def test_it_refuses_what_changes_nothing_and_says_why(security_officer, staff):
    with pytest.raises(errors.RoleUnchanged):
        role_grant(staff, roles.BUREAU_STAFF, actor=security_officer, reason="Again.")
    with pytest.raises(errors.RoleUnchanged):
        role_remove(staff, roles.APPROVERS, actor=security_officer, reason="Not held.")
    with pytest.raises(errors.UnknownRole):
        role_grant(staff, "Superheroes", actor=security_officer, reason="Why not.")
    with pytest.raises(errors.ReasonMissing):
        role_grant(staff, roles.AUDITORS, actor=security_officer, reason="  ")
    assert bureau_size() == 0
