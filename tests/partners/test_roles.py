"""The bureau's roles (groups made by the site's 0001_roles migration) and what they may do."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps as django_apps
from django.contrib.auth.models import Group

from partners import roles

roles_migration = importlib.import_module("auditsvc.site.migrations.0001_roles")

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


def test_the_migration_uses_the_names_of_the_roles_module():
    assert (
        roles_migration.BUREAU_STAFF,
        roles_migration.APPROVERS,
        roles_migration.AUDITORS,
    ) == roles.ROLES


# Granted by the site's 0006_letters_reports: letters and residents' access reports.
STAFF_LETTERS_REPORTS = {
    "partners.view_letter",
    "reports.view_accessreport",
    "reports.add_accessreport",  # producing a report
}
APPROVERS_LETTERS = {"partners.view_letter", "partners.issue_letter", "partners.revoke_letter"}


def test_bureau_staff_edit_partner_records_but_never_delete(db):
    expected = {"partners.review_partner", "partners.view_vettingdecision"}
    expected |= {f"partners.{a}_{m}" for m in EDITABLE for a in ("view", "add", "change")}
    expected |= {f"{label}.view_{model}" for label, model in (v.split(".") for v in VIEWED)}
    expected |= STAFF_LETTERS_REPORTS
    assert permissions_of(roles.BUREAU_STAFF) == expected


def test_approvers_add_approving_and_issuing_and_revoking_letters(db):
    assert permissions_of(roles.APPROVERS) == {"partners.approve_partner"} | APPROVERS_LETTERS


def test_auditors_view_every_model_of_every_layer_and_export_nothing_else(db):
    expected = {
        f"{label}.view_{model._meta.model_name}"
        for label in ("partners", "ledger", "ingestion", "reports")
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
def test_the_migration_is_reversible_and_can_run_again():
    roles_migration.delete_roles(django_apps, None)
    assert not Group.objects.filter(name__in=roles.ROLES).exists()

    roles_migration.create_roles(django_apps, None)
    roles_migration.create_roles(django_apps, None)  # twice: no duplicates, same permissions

    assert set(Group.objects.filter(name__in=roles.ROLES).values_list("name", flat=True)) == set(
        roles.ROLES
    )
    assert permissions_of(roles.APPROVERS) == {"partners.approve_partner"}
    assert django_apps.get_app_config("partners").models_module is not None


@pytest.mark.django_db
def test_the_letters_and_reports_grant_only_adds_and_can_run_again():
    grant_migration = importlib.import_module("auditsvc.site.migrations.0006_letters_reports")
    roles_migration.create_roles(django_apps, None)  # the groups as 0001 alone leaves them
    assert permissions_of(roles.APPROVERS) == {"partners.approve_partner"}

    grant_migration.grant(django_apps, None)
    grant_migration.grant(django_apps, None)

    assert permissions_of(roles.APPROVERS) == {"partners.approve_partner"} | APPROVERS_LETTERS
    assert permissions_of(roles.BUREAU_STAFF) >= STAFF_LETTERS_REPORTS
    assert "partners.review_partner" in permissions_of(roles.BUREAU_STAFF)  # kept, not replaced
