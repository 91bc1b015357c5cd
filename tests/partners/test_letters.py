"""Authorisation letters: issued and revoked by approvers, signed, recorded, judged live."""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter

import pytest

from auditsvc.core.documents import LETTER, document_digest, verify_document
from partners import errors
from partners.choices import LetterStatus, PartnerKind, PartnerStatus
from partners.kinds import RegistryKind
from partners.letters import (
    NUMBER_ALPHABET,
    NUMBER_BITS,
    letter_status,
    new_letter_number,
    normalise_letter_number,
)
from partners.models import Letter
from partners.services.authorisations import authorisation_revoke
from partners.services.letters import letter_issue, letter_revoke
from partners.services.vetting import vetting_reinstate, vetting_revoke, vetting_suspend
from tests import factories

from .support import bureau_entries, entry_body, ledger_size

pytestmark = pytest.mark.django_db


@pytest.fixture
def authorisation(vetted_partner):
    return vetted_partner.authorisations.get()


def test_it_issues_a_signed_letter_that_states_the_authorisation(
    authorisation, approver, signing_key
):
    letter = letter_issue(authorisation, actor=approver)

    letter.refresh_from_db()
    partner = authorisation.partner
    assert letter.partner == partner and letter.authorisation == authorisation
    assert letter.issued_by == approver
    document = letter.document
    assert document["number"] == letter.number
    assert document["partner"] == {
        "code": partner.code,
        "legal_name": partner.legal_name,
        "uscc": partner.uscc,
    }
    assert document["authorisation"]["reference"] == authorisation.letter_number
    assert document["authorisation"]["regions"] == authorisation.regions
    assert document["authorisation"]["purposes"] == authorisation.purposes
    assert document["authorisation"]["fields"] == authorisation.fields
    assert document["valid_from"] == authorisation.valid_from.isoformat()
    assert document["valid_until"] == authorisation.valid_until.isoformat()
    # Signed by the entry-signing key, over the letter type: it verifies as a letter only.
    assert verify_document(letter.signed_document(), [signing_key.verifier()], expected_type=LETTER)
    assert letter.key_id == signing_key.key_id
    assert letter_status(letter) == LetterStatus.VALID


def test_issuing_is_a_bureau_log_entry_that_pins_the_document(authorisation, approver):
    letter = letter_issue(authorisation, actor=approver)

    [entry] = bureau_entries(RegistryKind.LETTER_ISSUED)
    body = entry_body(entry)
    assert body["letter"] == letter.number
    assert body["partner"] == authorisation.partner.code
    assert body["authorisation"] == authorisation.pk
    assert body["authorisation_reference"] == authorisation.letter_number
    assert body["document_sha256"] == document_digest(letter.document).hex()
    assert body["signature"] == letter.signature and body["key_id"] == letter.key_id
    assert (body["actor"], body["actor_id"]) == ("approver", approver.pk)
    assert letter.ledger_seq == entry.seq


def test_revoking_is_a_bureau_log_entry_and_cannot_happen_twice(authorisation, approver):
    letter = letter_issue(authorisation, actor=approver)

    letter_revoke(letter, actor=approver, reason="Lost by the partner's agent.")

    [entry] = bureau_entries(RegistryKind.LETTER_REVOKED)
    body = entry_body(entry)
    assert body["letter"] == letter.number and body["reason"] == "Lost by the partner's agent."
    assert body["actor"] == "approver"
    assert letter_status(letter) == LetterStatus.REVOKED
    size = ledger_size()
    with pytest.raises(errors.LetterRevoked):
        letter_revoke(letter, actor=approver, reason="Again.")
    assert ledger_size() == size


def test_only_approvers_issue_and_revoke_letters(authorisation, staff, auditor, approver):
    size = ledger_size()
    for user in (staff, auditor, None):
        with pytest.raises(errors.NotPermitted):
            letter_issue(authorisation, actor=user)
    letter = letter_issue(authorisation, actor=approver)
    for user in (staff, auditor):
        with pytest.raises(errors.NotPermitted):
            letter_revoke(letter, actor=user, reason="Not mine to revoke.")
    assert ledger_size() == size + 1
    assert Letter.objects.count() == 1


def test_a_revoke_needs_a_reason(authorisation, approver):
    letter = letter_issue(authorisation, actor=approver)
    with pytest.raises(errors.ReasonRequired):
        letter_revoke(letter, actor=approver, reason="  ")


@pytest.mark.parametrize(
    "spoil",
    [
        pytest.param(
            lambda a, u: vetting_suspend(a.partner, actor=u, reason="Probe."), id="suspended"
        ),
        pytest.param(
            lambda a, u: authorisation_revoke(a, actor=u, reason="Withdrawn."), id="revoked"
        ),
    ],
)
def test_it_refuses_a_letter_for_a_partner_or_authorisation_that_stopped(
    authorisation, approver, spoil
):
    spoil(authorisation, approver)
    size = ledger_size()

    with pytest.raises(errors.LetterNotIssuable):
        letter_issue(authorisation, actor=approver)
    assert ledger_size() == size and not Letter.objects.exists()


def test_it_refuses_a_letter_for_an_ended_authorisation(vetted_partner, approver):
    ended = factories.AuthorisationFactory(
        partner=vetted_partner,
        valid_from=dt.date.today() - dt.timedelta(days=60),
        valid_until=dt.date.today() - dt.timedelta(days=2),
    )
    with pytest.raises(errors.LetterNotIssuable, match="expired"):
        letter_issue(ended, actor=approver)


def test_an_account_platform_gets_no_letters(account_platform, approver):
    authorisation = factories.AuthorisationFactory(partner=account_platform)
    assert account_platform.kind == PartnerKind.ACCOUNT_PLATFORM
    with pytest.raises(errors.LetterNotIssuable):
        letter_issue(authorisation, actor=approver)


def test_a_letter_may_be_printed_before_its_authorisation_starts(vetted_partner, approver):
    later = factories.AuthorisationFactory(
        partner=vetted_partner,
        valid_from=dt.date.today() + dt.timedelta(days=20),
        valid_until=dt.date.today() + dt.timedelta(days=200),
    )
    letter = letter_issue(later, actor=approver)
    assert letter_status(letter) == LetterStatus.NOT_YET_VALID


# --- Status: the order of precedence of DESIGN.md ----------------------------------------


def test_a_suspension_makes_it_suspended_and_a_reinstatement_valid_again(
    authorisation, approver, second_approver
):
    letter = letter_issue(authorisation, actor=approver)
    partner = authorisation.partner

    vetting_suspend(partner, actor=approver, reason="Complaint from a village doctor.")
    assert letter_status(letter) == LetterStatus.SUSPENDED

    vetting_reinstate(partner, actor=second_approver, reason="Complaint unfounded.")
    assert letter_status(letter) == LetterStatus.VALID


def test_revocation_comes_before_suspension(authorisation, approver):
    letter = letter_issue(authorisation, actor=approver)
    partner = authorisation.partner
    vetting_suspend(partner, actor=approver, reason="Investigation opened.")

    vetting_revoke(partner, actor=approver, reason="Fraud confirmed.")

    assert partner.status == PartnerStatus.REVOKED
    assert letter_status(letter) == LetterStatus.REVOKED


def test_a_revoked_authorisation_revokes_its_letters(authorisation, approver):
    letter = letter_issue(authorisation, actor=approver)
    authorisation_revoke(authorisation, actor=approver, reason="Scope withdrawn.")
    assert letter_status(letter) == LetterStatus.REVOKED


def test_suspension_comes_before_expiry(authorisation, approver):
    letter = letter_issue(authorisation, actor=approver)
    vetting_suspend(authorisation.partner, actor=approver, reason="Investigation opened.")

    after_the_end = dt.datetime.combine(
        authorisation.valid_until + dt.timedelta(days=1), dt.time(12), tzinfo=dt.UTC
    )
    assert letter_status(letter, at=after_the_end) == LetterStatus.SUSPENDED


def test_it_expires_after_the_last_day_in_beijing_time(authorisation, approver):
    letter = letter_issue(authorisation, actor=approver)
    shanghai = dt.timezone(dt.timedelta(hours=8))
    last_day = authorisation.valid_until

    late_on_the_last_day = dt.datetime.combine(last_day, dt.time(23, 59), tzinfo=shanghai)
    first_minute_after = dt.datetime.combine(
        last_day + dt.timedelta(days=1), dt.time(0, 0), tzinfo=shanghai
    )
    assert letter_status(letter, at=late_on_the_last_day) == LetterStatus.VALID
    assert letter_status(letter, at=first_minute_after) == LetterStatus.EXPIRED


def test_an_unknown_number_has_the_unknown_status():
    assert letter_status(None) == LetterStatus.UNKNOWN


# --- Numbers --------------------------------------------------------------------------------


def test_numbers_carry_at_least_64_random_bits():
    assert NUMBER_BITS >= 64
    assert len(NUMBER_ALPHABET) == 32 and len(set(NUMBER_ALPHABET)) == 32
    numbers = [new_letter_number() for _ in range(2000)]
    assert len(set(numbers)) == len(numbers)
    for number in numbers[:50]:
        groups = number.split("-")
        assert [len(group) for group in groups] == [4, 4, 4, 4]
        assert set("".join(groups)) <= set(NUMBER_ALPHABET)
    # Every position is spread over the alphabet (no constant prefix or structure).
    for position in (0, 7, 18):
        counts = Counter(number[position] for number in numbers)
        assert len(counts) == 32
        assert max(counts.values()) < 3 * len(numbers) / 32
    # 16 characters of a 32-letter alphabet are 80 bits.
    assert 16 * math.log2(32) == NUMBER_BITS


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("7K3M-Q9XZ-4D2F-8HJN", "7K3M-Q9XZ-4D2F-8HJN"),
        ("7k3m q9xz 4d2f 8hjn", "7K3M-Q9XZ-4D2F-8HJN"),
        ("7K3MQ9XZ4D2F8HJN", "7K3M-Q9XZ-4D2F-8HJN"),
        ("7K3M-Q9XZ-4D2F-8HJN ", "7K3M-Q9XZ-4D2F-8HJN"),
        ("OIL0-0000-0000-0000", "0110-0000-0000-0000"),  # look-alikes read as digits
        ("7K3M-Q9XZ-4D2F-8HJ", None),  # too short
        ("7K3M-Q9XZ-4D2F-8HJNN", None),  # too long
        ("7K3M-Q9XZ-4D2F-8HJU", None),  # U is not in the alphabet
        ("../../etc/passwd", None),
        ("", None),
        ("x" * 200, None),
    ],
)
def test_typed_numbers_are_forgiven_case_spaces_and_look_alikes(typed, expected):
    assert normalise_letter_number(typed) == expected
