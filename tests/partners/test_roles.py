"""The bureau's roles (groups made by the site's 0001_roles migration) and what they may do."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps as django_apps
from django.contrib.auth.models import Group

from partners import roles

roles_migration = importlib.import_module("auditsvc.site.migrations.0001_roles")
officers_migration = importlib.import_module("auditsvc.site.migrations.0002_security_officers")

EDITABLE = ["partner", "qualificationdocument", "authorisation", "agent", "apicredential"]
VIEWED = [
    "ledger.publishedkey",
    "ledger.log",
    "ledger.ledgerentry",
    "ledger.treenode",
    "ledger.signedcheckpoint",
    "ingestion.enrolmentsession",
    "ingestion.accessevent",
    "ingestion.accountevent",
]


def permissions_of(group_name: str) -> set[str]:
    group = Group.objects.get(name=group_name)
    return {
        f"{p.content_type.app_label}.{p.codename}"
        for p in group.permissions.select_related("content_type")
    }


def test_the_migrations_use_the_names_of_the_roles_module():
    assert (
        roles_migration.BUREAU_STAFF,
        roles_migration.APPROVERS,
        roles_migration.AUDITORS,
        officers_migration.SECURITY_OFFICERS,
    ) == roles.ROLES
    assert officers_migration.AUDITORS == roles.AUDITORS


# Granted by the site's 0003_letters_reports: letters and residents' access reports.
STAFF_LETTERS_REPORTS = {
    "partners.view_letter",
    "reports.view_accessreport",
    "reports.add_accessreport",  # producing a report
}
APPROVERS_LETTERS = {"partners.view_letter", "partners.issue_letter", "partners.revoke_letter"}
# Granted by the site's detection roles migration: staff triage alerts, approvers also
# open investigations (auditors read them: every model of every layer).
STAFF_ALERTS = {"detection.view_alert", "detection.triage_alert"}
APPROVERS_ALERTS = STAFF_ALERTS | {"detection.open_investigation"}


def test_bureau_staff_edit_partner_records_but_never_delete(db):
    expected = {"partners.review_partner", "partners.view_vettingdecision"}
    expected |= {f"partners.{a}_{m}" for m in EDITABLE for a in ("view", "add", "change")}
    expected |= {f"{label}.view_{model}" for label, model in (v.split(".") for v in VIEWED)}
    expected |= STAFF_LETTERS_REPORTS | STAFF_ALERTS
    assert permissions_of(roles.BUREAU_STAFF) == expected


def test_approvers_add_approving_and_issuing_and_revoking_letters(db):
    assert (
        permissions_of(roles.APPROVERS)
        == {"partners.approve_partner"} | APPROVERS_LETTERS | APPROVERS_ALERTS
    )


def test_auditors_view_every_model_of_every_layer_and_export_nothing_else(db):
    expected = {
        f"{label}.view_{model._meta.model_name}"
        for label in ("partners", "ledger", "ingestion", "reports", "exports", "detection", "site")
        for model in django_apps.get_app_config(label).get_models()
    }
    expected.add("ledger.export_ledger")
    assert permissions_of(roles.AUDITORS) == expected


def test_only_approvers_issue_letters_and_only_staff_produce_reports(staff, approver, auditor):
    assert approver.has_perm("partners.issue_letter") and approver.has_perm(
        "partners.revoke_letter"
    )
    for user in (staff, auditor):
        assert not user.has_perm("partners.issue_letter")
        assert not user.has_perm("partners.revoke_letter")
    assert staff.has_perm("reports.add_accessreport")
    assert not auditor.has_perm("reports.add_accessreport")
    assert auditor.has_perm("reports.view_accessreport") and auditor.has_perm(
        "partners.view_letter"
    )


def test_security_officers_manage_roles_and_second_factors_and_nothing_else(db):
    assert permissions_of(roles.SECURITY_OFFICERS) == {
        "site.view_staffaccount",
        "site.manage_roles",
        "site.reset_second_factor",
    }


def test_a_security_officer_cannot_act_as_staff_or_approver(security_officer, staff, approver):
    for permission in ("partners.review_partner", "partners.approve_partner"):
        assert not security_officer.has_perm(permission)
    for model in ("partner", "qualificationdocument", "authorisation", "agent", "apicredential"):
        assert not security_officer.has_perm(f"partners.add_{model}")
        assert not security_officer.has_perm(f"partners.change_{model}")
    for user in (staff, approver):
        assert not user.has_perm("site.manage_roles")
        assert not user.has_perm("site.reset_second_factor")


def test_the_personas_hold_what_their_role_gives(staff, approver, auditor):
    assert staff.has_perm("partners.review_partner")
    assert not staff.has_perm("partners.approve_partner")
    assert approver.has_perm("partners.review_partner")
    assert approver.has_perm("partners.approve_partner")
    assert auditor.has_perm("ledger.export_ledger")
    assert auditor.has_perm("ledger.view_ledgerentry")
    for user in (staff, approver, auditor):
        assert not user.has_perm("partners.delete_partner")
        assert not user.has_perm("partners.delete_vettingdecision")
        assert not user.has_perm("ledger.delete_ledgerentry")
    assert not auditor.has_perm("partners.review_partner")
    assert not auditor.has_perm("partners.change_partner")
    assert not staff.has_perm("ledger.export_ledger")


@pytest.mark.django_db
def test_the_migrations_are_reversible_and_can_run_again():
    officers_migration.remove(django_apps, None)
    roles_migration.delete_roles(django_apps, None)
    assert not Group.objects.filter(name__in=roles.ROLES).exists()

    for _ in range(2):  # twice: no duplicates, same permissions
        roles_migration.create_roles(django_apps, None)
        officers_migration.grant(django_apps, None)

    assert set(Group.objects.filter(name__in=roles.ROLES).values_list("name", flat=True)) == set(
        roles.ROLES
    )
    assert permissions_of(roles.APPROVERS) == {"partners.approve_partner"}
    assert len(permissions_of(roles.SECURITY_OFFICERS)) == 3
    assert "site.view_staffaccount" in permissions_of(roles.AUDITORS)
    assert django_apps.get_app_config("partners").models_module is not None
    assert django_apps.get_app_config("site").models_module is not None


@pytest.mark.django_db
def test_the_letters_and_reports_grant_only_adds_and_can_run_again():
    grant_migration = importlib.import_module("auditsvc.site.migrations.0003_letters_reports")
    roles_migration.create_roles(django_apps, None)  # the groups as 0001 alone leaves them
    assert permissions_of(roles.APPROVERS) == {"partners.approve_partner"}

    grant_migration.grant(django_apps, None)
    grant_migration.grant(django_apps, None)

    assert permissions_of(roles.APPROVERS) == {"partners.approve_partner"} | APPROVERS_LETTERS
    assert permissions_of(roles.BUREAU_STAFF) >= STAFF_LETTERS_REPORTS
    assert "partners.review_partner" in permissions_of(roles.BUREAU_STAFF)  # kept, not replaced
