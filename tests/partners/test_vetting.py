"""Moving partners through vetting: legal moves, permissions, maker-checker, documents, ledger."""

from __future__ import annotations

import datetime as dt
import io
import itertools
import threading

import pytest
from django.conf import settings
from django.db import DatabaseError, connection, transaction

from auditsvc.ledger.errors import LedgerError
from partners import errors
from partners.choices import TRANSITIONS, PartnerStatus
from partners.kinds import RegistryKind
from partners.models import Partner, VettingDecision
from partners.services import documents, vetting
from tests import factories, needs

from .support import add_required_documents, bureau_entries, entry_body, ledger_size

S = PartnerStatus
ALL_PAIRS = list(itertools.product(S.values, S.values))
LEGAL = [(a, b) for a, b in ALL_PAIRS if b in TRANSITIONS[a]]
ILLEGAL = [(a, b) for a, b in ALL_PAIRS if b not in TRANSITIONS[a]]
WRAPPERS = {
    (S.APPLIED, S.UNDER_REVIEW): vetting.vetting_start_review,
    (S.UNDER_REVIEW, S.APPROVED): vetting.vetting_approve,
    (S.UNDER_REVIEW, S.REJECTED): vetting.vetting_reject,
    (S.APPROVED, S.SUSPENDED): vetting.vetting_suspend,
    (S.SUSPENDED, S.APPROVED): vetting.vetting_reinstate,
    (S.SUSPENDED, S.REVOKED): vetting.vetting_revoke,
}


def test_the_workflow_has_exactly_the_designed_moves():
    assert sorted(LEGAL) == sorted(WRAPPERS)
    assert len(ILLEGAL) == 36 - 6


# --- Every legal move -------------------------------------------------------------------


@pytest.mark.parametrize(("from_status", "to_status"), LEGAL)
def test_it_makes_every_legal_move_with_a_decision_and_a_ledger_entry(
    make_partner, approver, from_status, to_status
):
    partner = make_partner(from_status)
    before = len(bureau_entries(RegistryKind.PARTNER_VETTING))

    decision = vetting.vetting_transition(partner, to_status, actor=approver, reason="checked")

    partner.refresh_from_db()
    assert partner.status == to_status
    assert partner.status_changed_at == decision.decided_at
    assert (decision.from_status, decision.to_status) == (from_status, to_status)
    assert decision.actor == approver
    assert decision.reason == "checked"
    entries = bureau_entries(RegistryKind.PARTNER_VETTING)
    assert len(entries) == before + 1
    entry = entries[-1]
    assert decision.ledger_seq == entry.seq
    assert entry_body(entry) == {
        "partner": partner.code,
        "uscc": partner.uscc,
        "from": from_status,
        "to": to_status,
        "reason": "checked",
        "actor": "approver",
        "actor_id": approver.pk,
        "decided_at": entry_body(entry)["decided_at"],
    }
    decided_at = dt.datetime.fromisoformat(entry_body(entry)["decided_at"].replace("Z", "+00:00"))
    assert decided_at == decision.decided_at


@pytest.mark.parametrize(("from_status", "to_status"), LEGAL)
def test_each_named_move_makes_its_move(make_partner, approver, from_status, to_status):
    partner = make_partner(from_status)

    decision = WRAPPERS[(from_status, to_status)](partner, actor=approver, reason="ok")

    assert partner.status == to_status  # updated in place for the caller
    assert Partner.objects.get(pk=partner.pk).status == to_status
    assert decision.ledger_seq is not None


def test_it_updates_the_callers_object_and_reads_the_status_from_the_database(
    make_partner, approver
):
    partner = make_partner(S.UNDER_REVIEW)
    stale = Partner.objects.get(pk=partner.pk)
    vetting.vetting_reject(partner, actor=approver, reason="incomplete")

    # The stale copy still says under_review; the move is judged on the row.
    with pytest.raises(errors.IllegalTransition):
        vetting.vetting_transition(stale, S.APPROVED, actor=approver, reason="ok")
    assert Partner.objects.get(pk=partner.pk).status == S.REJECTED


def test_a_full_vetting_history_fills_the_bureau_log_in_order(pending_partner, staff, approver):
    add_required_documents(pending_partner)
    vetting.vetting_start_review(pending_partner, actor=staff, reason="file received")
    vetting.vetting_approve(pending_partner, actor=approver, reason="all checked")
    vetting.vetting_suspend(pending_partner, actor=staff, reason="alert 17")
    vetting.vetting_reinstate(pending_partner, actor=approver, reason="alert closed")
    vetting.vetting_suspend(pending_partner, actor=staff, reason="second alert")
    vetting.vetting_revoke(pending_partner, actor=approver, reason="confirmed fraud")

    decisions = list(pending_partner.decisions.order_by("decided_at", "id"))
    entries = bureau_entries(RegistryKind.PARTNER_VETTING)
    assert [d.ledger_seq for d in decisions] == [e.seq for e in entries]
    assert [(entry_body(e)["from"], entry_body(e)["to"]) for e in entries] == [
        ("applied", "under_review"),
        ("under_review", "approved"),
        ("approved", "suspended"),
        ("suspended", "approved"),
        ("approved", "suspended"),
        ("suspended", "revoked"),
    ]
    assert pending_partner.status == S.REVOKED


# --- Every illegal move -----------------------------------------------------------------


@pytest.mark.parametrize(("from_status", "to_status"), ILLEGAL)
def test_it_refuses_every_illegal_move_and_records_nothing(
    make_partner, approver, from_status, to_status
):
    partner = make_partner(from_status)
    size = ledger_size()

    with pytest.raises(errors.IllegalTransition) as exc:
        vetting.vetting_transition(partner, to_status, actor=approver, reason="try")

    assert from_status in str(exc.value) and to_status in str(exc.value)
    assert exc.value.code == "illegal_transition"
    assert Partner.objects.get(pk=partner.pk).status == from_status
    assert not VettingDecision.objects.exists()
    assert ledger_size() == size


def test_it_refuses_an_unknown_status(make_partner, approver):
    partner = make_partner(S.APPLIED)
    with pytest.raises(errors.IllegalTransition) as exc:
        vetting.vetting_transition(partner, "trusted", actor=approver, reason="try")
    assert "applied" in str(exc.value) and "trusted" in str(exc.value)


def test_approve_does_not_reinstate_and_reinstate_does_not_approve(make_partner, approver):
    suspended = make_partner(S.SUSPENDED)
    under_review = make_partner(S.UNDER_REVIEW)
    size = ledger_size()

    with pytest.raises(errors.IllegalTransition):
        vetting.vetting_approve(suspended, actor=approver, reason="ok")
    with pytest.raises(errors.IllegalTransition):
        vetting.vetting_reinstate(under_review, actor=approver, reason="ok")

    assert ledger_size() == size
    assert not VettingDecision.objects.exists()


# --- Reason -------------------------------------------------------------------------------


@pytest.mark.parametrize("reason", ["", "   \n", None])
def test_it_refuses_a_move_without_a_reason(make_partner, approver, reason):
    partner = make_partner(S.APPLIED)
    size = ledger_size()

    with pytest.raises(errors.ReasonRequired):
        vetting.vetting_start_review(partner, actor=approver, reason=reason)

    assert Partner.objects.get(pk=partner.pk).status == S.APPLIED
    assert ledger_size() == size


def test_the_reason_is_checked_before_the_move(make_partner, auditor):
    partner = make_partner(S.REVOKED)
    with pytest.raises(errors.ReasonRequired):
        vetting.vetting_transition(partner, S.APPROVED, actor=auditor, reason="")


def test_the_move_is_checked_before_the_permission(make_partner, auditor):
    partner = make_partner(S.REVOKED)
    with pytest.raises(errors.IllegalTransition):
        vetting.vetting_transition(partner, S.APPROVED, actor=auditor, reason="try")


# --- Permissions ------------------------------------------------------------------------


def test_staff_without_the_approve_permission_cannot_approve(make_partner, staff):
    partner = make_partner(S.UNDER_REVIEW)
    size = ledger_size()

    with pytest.raises(errors.NotPermitted) as exc:
        vetting.vetting_approve(partner, actor=staff, reason="looks fine")

    assert "partners.approve_partner" in str(exc.value)
    assert Partner.objects.get(pk=partner.pk).status == S.UNDER_REVIEW
    assert ledger_size() == size


def test_staff_without_the_approve_permission_cannot_reinstate(make_partner, staff):
    partner = make_partner(S.SUSPENDED)
    with pytest.raises(errors.NotPermitted):
        vetting.vetting_reinstate(partner, actor=staff, reason="alert closed")
    assert Partner.objects.get(pk=partner.pk).status == S.SUSPENDED


@pytest.mark.parametrize(
    ("from_status", "to_status"), [m for m in LEGAL if m[1] not in (S.APPROVED, S.REVOKED)]
)
def test_staff_make_every_move_but_approval_and_revocation(
    make_partner, staff, from_status, to_status
):
    partner = make_partner(from_status)
    vetting.vetting_transition(partner, to_status, actor=staff, reason="ok")
    assert Partner.objects.get(pk=partner.pk).status == to_status


def test_staff_without_the_approve_permission_cannot_revoke(make_partner, staff, approver):
    # DESIGN.md "Roles": bureau staff may not approve, reinstate or revoke.
    partner = make_partner(S.SUSPENDED)
    size = ledger_size()
    with pytest.raises(errors.NotPermitted):
        vetting.vetting_revoke(partner, actor=staff, reason="confirmed fraud")
    assert Partner.objects.get(pk=partner.pk).status == S.SUSPENDED
    assert ledger_size() == size

    vetting.vetting_revoke(partner, actor=approver, reason="confirmed fraud")
    assert partner.status == S.REVOKED


@pytest.mark.parametrize(("from_status", "to_status"), LEGAL)
def test_auditors_cannot_make_any_move(make_partner, auditor, from_status, to_status):
    partner = make_partner(from_status)
    size = ledger_size()

    with pytest.raises(errors.NotPermitted):
        vetting.vetting_transition(partner, to_status, actor=auditor, reason="audit")

    assert Partner.objects.get(pk=partner.pk).status == from_status
    assert ledger_size() == size


def test_an_approver_outside_bureau_staff_may_approve_but_not_review(make_partner, approver_only):
    partner = make_partner(S.UNDER_REVIEW)
    vetting.vetting_approve(partner, actor=approver_only, reason="second pair of eyes")
    assert partner.status == S.APPROVED

    with pytest.raises(errors.NotPermitted):
        vetting.vetting_suspend(partner, actor=approver_only, reason="no")


def test_an_inactive_user_cannot_make_a_move(make_partner, approver):
    approver.is_active = False
    approver.save()
    partner = make_partner(S.APPLIED)
    with pytest.raises(errors.NotPermitted):
        vetting.vetting_start_review(partner, actor=approver, reason="ok")


# --- Maker-checker ----------------------------------------------------------------------


def test_it_refuses_approval_by_the_user_who_started_the_review(make_partner, approver):
    partner = make_partner(S.APPLIED)
    vetting.vetting_start_review(partner, actor=approver, reason="file received")
    size = ledger_size()

    # approver holds partners.approve_partner, but is the maker here.
    assert approver.has_perm("partners.approve_partner")
    with pytest.raises(errors.SameReviewer) as exc:
        vetting.vetting_approve(partner, actor=approver, reason="all good")

    assert exc.value.code == "maker_checker"
    assert Partner.objects.get(pk=partner.pk).status == S.UNDER_REVIEW
    assert ledger_size() == size
    assert partner.decisions.count() == 1


def test_a_second_approver_can_approve(make_partner, approver, second_approver):
    partner = make_partner(S.APPLIED)
    vetting.vetting_start_review(partner, actor=approver, reason="file received")

    decision = vetting.vetting_approve(partner, actor=second_approver, reason="all good")

    assert decision.actor == second_approver
    assert partner.status == S.APPROVED


def test_staff_who_started_the_review_leaves_any_approver_free(make_partner, staff, approver):
    partner = make_partner(S.APPLIED)
    vetting.vetting_start_review(partner, actor=staff, reason="file received")
    vetting.vetting_approve(partner, actor=approver, reason="all good")
    assert partner.status == S.APPROVED


def test_every_review_makes_a_maker_not_only_the_latest(
    make_partner, approver, second_approver, third_approver
):
    # An older review by approver (a history row), then a new one by second_approver:
    # both prepared the file, so neither approves it.
    partner = make_partner(S.APPLIED)
    VettingDecision.objects.create(
        partner=partner,
        actor=approver,
        from_status=S.APPLIED,
        to_status=S.UNDER_REVIEW,
        reason="old review",
        decided_at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
    )
    vetting.vetting_start_review(partner, actor=second_approver, reason="file received")

    for maker in (approver, second_approver):
        with pytest.raises(errors.MakerCheckerRefused, match="you started its review"):
            vetting.vetting_approve(partner, actor=maker, reason="ok")
    vetting.vetting_approve(partner, actor=third_approver, reason="ok")
    assert partner.status == S.APPROVED


# --- Maker-checker: registering and documenting make a maker too (issue 7) --------------------


def _register_with_documents(actor):
    """What an approver does in the issue's reproducer: register a partner and its documents."""
    partner = vetting.partner_register(
        actor=actor,
        legal_name="Dengzhou Quick Cards Co., Ltd.",
        uscc=factories.make_uscc(seed=777),
        kind="enrolment_partner",
        contact_name="Li Wei",
        contact_email="li.wei@quick.example",
        dpo_name="Wang Fang",
        dpo_email="dpo@quick.example",
        address="3 Renmin Road, Dengzhou, Henan",
    )
    for doc_type in settings.AUDITSVC_REQUIRED_DOCUMENTS:
        documents.document_add(
            partner,
            actor=actor,
            doc_type=doc_type,
            file=io.BytesIO(f"{doc_type} scan".encode()),
            issued_on=dt.date.today() - dt.timedelta(days=30),
        )
    return partner


def test_whoever_registered_and_documented_a_partner_cannot_approve_it(
    staff, approver, second_approver
):
    # The reproducer: an approver adds a partner and its five documents, staff start the
    # review, and the same approver approves. Refused, naming what they did.
    partner = _register_with_documents(approver)
    assert partner.registered_by == approver
    vetting.vetting_start_review(partner, actor=staff, reason="file received")
    size = ledger_size()

    with pytest.raises(errors.MakerCheckerRefused) as exc:
        vetting.vetting_approve(partner, actor=approver, reason="all good")

    assert exc.value.code == "maker_checker" and exc.value.status == 403
    assert str(exc.value) == (
        f"You cannot approve {partner.code}: you registered it and you added its documents. "
        "Another approver must approve it."
    )
    assert Partner.objects.get(pk=partner.pk).status == S.UNDER_REVIEW
    assert ledger_size() == size

    vetting.vetting_approve(partner, actor=second_approver, reason="checked by someone else")
    assert partner.status == S.APPROVED


def test_registering_alone_makes_a_maker(make_partner, staff, approver, second_approver):
    partner = make_partner(S.APPLIED, registered_by=approver)
    vetting.vetting_start_review(partner, actor=staff, reason="file received")
    with pytest.raises(errors.MakerCheckerRefused, match=r": you registered it\. "):
        vetting.vetting_approve(partner, actor=approver, reason="ok")
    vetting.vetting_approve(partner, actor=second_approver, reason="ok")


def test_adding_one_document_alone_makes_a_maker(make_partner, staff, approver, second_approver):
    partner = make_partner(S.APPLIED)
    factories.DocumentFactory(partner=partner, doc_type="other", uploaded_by=approver)
    vetting.vetting_start_review(partner, actor=staff, reason="file received")
    with pytest.raises(errors.MakerCheckerRefused, match=r": you added its documents\. "):
        vetting.vetting_approve(partner, actor=approver, reason="ok")
    vetting.vetting_approve(partner, actor=second_approver, reason="ok")


def test_a_maker_cannot_reinstate_and_the_refusal_names_the_real_reason(
    staff, approver, second_approver, third_approver
):
    partner = _register_with_documents(staff)
    vetting.vetting_start_review(partner, actor=staff, reason="file received")
    vetting.vetting_approve(partner, actor=approver, reason="ok")
    vetting.vetting_suspend(partner, actor=second_approver, reason="alert 17")

    # Today's reproducer said "You put P0001 under review" to whoever suspended it.
    with pytest.raises(errors.MakerCheckerRefused) as exc:
        vetting.vetting_reinstate(partner, actor=second_approver, reason="alert closed")
    assert str(exc.value) == (
        f"You cannot reinstate {partner.code}: you suspended it. "
        "Another approver must reinstate it."
    )
    vetting.vetting_reinstate(partner, actor=third_approver, reason="alert closed")
    assert partner.status == S.APPROVED


def test_the_service_and_the_admin_ask_one_function(make_partner, approver, staff):
    partner = make_partner(S.UNDER_REVIEW, registered_by=approver)
    refusal = vetting.maker_checker_refusal(partner, approver, from_status=partner.status)
    assert refusal is not None and "you registered it" in refusal
    assert vetting.maker_checker_refusal(partner, staff, from_status=partner.status) is None


def test_the_maker_cannot_reinstate_either(make_partner, approver, second_approver):
    partner = make_partner(S.APPLIED)
    vetting.vetting_start_review(partner, actor=approver, reason="file received")
    vetting.vetting_approve(partner, actor=second_approver, reason="ok")
    vetting.vetting_suspend(partner, actor=approver, reason="alert")

    with pytest.raises(errors.SameReviewer):
        vetting.vetting_reinstate(partner, actor=approver, reason="alert closed")
    vetting.vetting_reinstate(partner, actor=second_approver, reason="alert closed")
    assert partner.status == S.APPROVED


def test_whoever_suspended_a_partner_cannot_reinstate_it_alone(
    make_partner, staff, approver, second_approver
):
    # The review was opened by staff, so only the suspension makes approver2 the maker.
    partner = make_partner(S.APPLIED)
    vetting.vetting_start_review(partner, actor=staff, reason="file received")
    vetting.vetting_approve(partner, actor=approver, reason="ok")
    vetting.vetting_suspend(partner, actor=second_approver, reason="alert 17")
    size = ledger_size()

    with pytest.raises(errors.SameReviewer) as exc:
        vetting.vetting_reinstate(partner, actor=second_approver, reason="alert closed")

    assert exc.value.code == "maker_checker"
    assert "suspended" in str(exc.value)
    assert Partner.objects.get(pk=partner.pk).status == S.SUSPENDED
    assert ledger_size() == size
    decision = vetting.vetting_reinstate(partner, actor=approver, reason="alert closed")
    assert decision.actor == approver
    assert partner.status == S.APPROVED


def test_only_the_latest_suspension_counts_for_reinstating(
    make_partner, staff, approver, second_approver
):
    partner = make_partner(S.APPLIED)
    vetting.vetting_start_review(partner, actor=staff, reason="file received")
    vetting.vetting_approve(partner, actor=second_approver, reason="ok")
    vetting.vetting_suspend(partner, actor=approver, reason="alert 17")
    vetting.vetting_reinstate(partner, actor=second_approver, reason="alert closed")
    vetting.vetting_suspend(partner, actor=staff, reason="alert 18")

    vetting.vetting_reinstate(partner, actor=approver, reason="alert closed")
    assert partner.status == S.APPROVED


def test_the_permission_is_checked_before_maker_checker(make_partner, staff):
    partner = make_partner(S.APPLIED)
    vetting.vetting_start_review(partner, actor=staff, reason="file received")
    with pytest.raises(errors.NotPermitted):
        vetting.vetting_approve(partner, actor=staff, reason="ok")


def test_maker_checker_is_checked_before_documents(make_partner, approver):
    partner = make_partner(S.APPLIED, documents=False)
    vetting.vetting_start_review(partner, actor=approver, reason="file received")
    with pytest.raises(errors.SameReviewer):
        vetting.vetting_approve(partner, actor=approver, reason="ok")


# --- Documents ----------------------------------------------------------------------------


def test_it_refuses_approval_while_a_required_document_is_missing(make_partner, approver):
    partner = make_partner(S.UNDER_REVIEW, documents=False)
    for doc_type in ["business_licence", "entrustment_agreement", "confidentiality_undertaking"]:
        factories.DocumentFactory(partner=partner, doc_type=doc_type)
    factories.DocumentFactory(partner=partner, doc_type="staff_list")
    size = ledger_size()

    with pytest.raises(errors.DocumentsIncomplete) as exc:
        vetting.vetting_approve(partner, actor=approver, reason="ok")

    assert "security_assessment (missing)" in str(exc.value)
    assert "business_licence" not in str(exc.value)
    assert Partner.objects.get(pk=partner.pk).status == S.UNDER_REVIEW
    assert ledger_size() == size
    assert not VettingDecision.objects.exists()


def test_it_refuses_approval_while_a_required_document_is_expired(make_partner, approver):
    partner = make_partner(S.UNDER_REVIEW)
    expired_on = dt.date.today() - dt.timedelta(days=3)
    partner.documents.filter(doc_type="business_licence").update(expires_on=expired_on)

    with pytest.raises(errors.DocumentsIncomplete) as exc:
        vetting.vetting_approve(partner, actor=approver, reason="ok")

    assert f"business_licence (expired {expired_on.isoformat()})" in str(exc.value)
    assert Partner.objects.get(pk=partner.pk).status == S.UNDER_REVIEW


def test_it_refuses_to_reinstate_a_partner_whose_document_expired(make_partner, approver):
    partner = make_partner(S.SUSPENDED)
    partner.documents.filter(doc_type="staff_list").update(
        expires_on=dt.date.today() - dt.timedelta(days=1)
    )
    with pytest.raises(errors.DocumentsIncomplete):
        vetting.vetting_reinstate(partner, actor=approver, reason="alert closed")


def test_a_document_expiring_today_still_counts(make_partner, approver):
    partner = make_partner(S.UNDER_REVIEW)
    partner.documents.update(expires_on=dt.date.today())
    vetting.vetting_approve(partner, actor=approver, reason="ok")
    assert partner.status == S.APPROVED


def test_documents_are_not_needed_to_suspend_or_reject(make_partner, staff):
    approved = make_partner(S.APPROVED, documents=False)
    under_review = make_partner(S.UNDER_REVIEW, documents=False)
    vetting.vetting_suspend(approved, actor=staff, reason="alert")
    vetting.vetting_reject(under_review, actor=staff, reason="no documents")
    assert (approved.status, under_review.status) == (S.SUSPENDED, S.REJECTED)


# --- Locking ------------------------------------------------------------------------------


def test_a_move_the_ledger_refuses_leaves_no_decision(make_partner, approver):
    partner = make_partner(S.APPLIED)
    size = ledger_size()
    # A reason the canonical encoder refuses (a lone surrogate): the ledger says why.
    with pytest.raises(LedgerError, match="cannot be recorded"):
        vetting.vetting_start_review(partner, actor=approver, reason="bad \ud800 text")
    assert Partner.objects.get(pk=partner.pk).status == S.APPLIED
    assert not VettingDecision.objects.exists()
    assert ledger_size() == size


def test_a_move_that_fails_after_its_entry_rolls_the_entry_and_the_decision_back(
    make_partner, approver, monkeypatch
):
    partner = make_partner(S.APPLIED)
    size = ledger_size()
    real_save = Partner.save

    def fail_on_status(self, *args, **kwargs):
        if "status" in (kwargs.get("update_fields") or ()):
            # By now the bureau-log entry and the VettingDecision are written.
            assert VettingDecision.objects.filter(partner=self).exists()
            assert ledger_size() == size + 1
            raise DatabaseError("the disk is full")
        return real_save(self, *args, **kwargs)

    monkeypatch.setattr(Partner, "save", fail_on_status)
    with pytest.raises(DatabaseError, match="disk is full"):
        vetting.vetting_start_review(partner, actor=approver, reason="documents received")

    assert Partner.objects.get(pk=partner.pk).status == S.APPLIED
    assert not VettingDecision.objects.exists()
    assert ledger_size() == size


@needs.postgres("row locks; SQLite serialises every writer anyway (IMMEDIATE transactions)")
@pytest.mark.django_db(transaction=True)
def test_a_second_approval_waits_for_the_first_and_is_then_refused(
    roles_after_flush, make_partner, approver, second_approver
):
    partner = make_partner(S.UNDER_REVIEW)
    outcome = {}

    def approve_concurrently():
        try:
            # Read before the first approval commits: this copy says under_review.
            copy = Partner.objects.get(pk=partner.pk)
            vetting.vetting_approve(copy, actor=second_approver, reason="me too")
            outcome["second"] = "approved"
        except errors.IllegalTransition:
            outcome["second"] = "refused"
        finally:
            connection.close()

    with transaction.atomic():
        vetting.vetting_approve(partner, actor=approver, reason="checked")
        # The first approval holds the partner row until it commits.
        second = threading.Thread(target=approve_concurrently)
        second.start()
        second.join(timeout=1.0)
        assert second.is_alive(), "the second approval did not wait for the row lock"
    second.join(timeout=10)

    assert outcome == {"second": "refused"}
    assert VettingDecision.objects.filter(partner=partner, to_status=S.APPROVED).count() == 1
    assert len(bureau_entries(RegistryKind.PARTNER_VETTING)) == 1
