"""Letters in the admin: approvers issue from an authorisation, print, and revoke; others cannot."""

from __future__ import annotations

import pytest
from django.urls import reverse

from partners.admin.letters import qr_svg
from partners.kinds import RegistryKind
from partners.models import Letter
from partners.services.letters import letter_issue
from tests.partners.support import bureau_entries, entry_body, ledger_size

pytestmark = pytest.mark.django_db


@pytest.fixture
def authorisation(vetted_partner):
    return vetted_partner.authorisations.get()


def tool_labels(client, authorisation) -> list[str]:
    url = reverse("admin:partners_authorisation_change", args=[authorisation.pk])
    response = client.get(url)
    assert response.status_code == 200
    return [str(tool["label"]) for tool in response.context["record_actions"] or []]


def test_an_approver_issues_a_letter_from_the_authorisation_page(
    as_approver, authorisation, approver
):
    assert "Issue a letter" in tool_labels(as_approver, authorisation)
    add_url = reverse("admin:partners_letter_add") + f"?authorisation={authorisation.pk}"
    form = as_approver.get(add_url)
    assert form.status_code == 200
    assert form.context["adminform"].form["authorisation"].value() == str(authorisation.pk)

    response = as_approver.post(
        reverse("admin:partners_letter_add"), {"authorisation": authorisation.pk}
    )

    letter = Letter.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:partners_letter_print", args=[letter.pk])
    assert letter.issued_by == approver and letter.authorisation == authorisation
    [entry] = bureau_entries(RegistryKind.LETTER_ISSUED)
    assert entry_body(entry)["letter"] == letter.number
    # The authorisation page lists it.
    page = as_approver.get(reverse("admin:partners_authorisation_change", args=[authorisation.pk]))
    assert letter.number in page.content.decode()


def test_the_printed_letter_carries_everything_a_person_checks(
    as_approver, authorisation, approver, settings
):
    settings.AUDITSVC_PUBLIC_URL = "https://audit.ybj.example"
    letter = letter_issue(authorisation, actor=approver)

    response = as_approver.get(reverse("admin:partners_letter_print", args=[letter.pk]))

    html = response.content.decode()
    partner = authorisation.partner
    check_url = f"https://audit.ybj.example/verify/letters/{letter.number}"
    for expected in (
        letter.number,
        partner.legal_name,
        partner.uscc,
        ", ".join(authorisation.regions),
        "Card activation",
        "Identity number",
        authorisation.valid_from.isoformat(),
        authorisation.valid_until.isoformat(),
        letter.key_id,
        letter.signature,
        check_url,
        "@media print",
    ):
        assert expected in html, expected
    assert response.context["check_url"] == check_url
    assert qr_svg(check_url) in html  # the QR code encodes the public page, drawn here
    assert 'id="letter-status"' not in html  # no "not valid" stamp on a valid letter


def test_the_printed_letter_of_a_revoked_letter_says_so_in_large_letters(
    as_approver, authorisation, approver
):
    letter = letter_issue(authorisation, actor=approver)
    from partners.services.letters import letter_revoke

    letter_revoke(letter, actor=approver, reason="Lost.")
    html = as_approver.get(
        reverse("admin:partners_letter_print", args=[letter.pk])
    ).content.decode()
    assert 'id="letter-status" data-status="revoked"' in html
    assert "REVOKED: NOT VALID NOW" in html


def test_the_qr_code_points_at_the_address_the_admin_was_opened_at_when_none_is_set(
    as_approver, authorisation, approver, settings
):
    settings.AUDITSVC_PUBLIC_URL = ""
    letter = letter_issue(authorisation, actor=approver)
    response = as_approver.get(reverse("admin:partners_letter_print", args=[letter.pk]))
    assert response.context["check_url"] == f"http://testserver/verify/letters/{letter.number}"


def test_an_approver_revokes_a_letter_with_a_reason(as_approver, authorisation, approver):
    letter = letter_issue(authorisation, actor=approver)
    change = reverse("admin:partners_letter_change", args=[letter.pk])
    assert [str(a["label"]) for a in as_approver.get(change).context["record_actions"]] == [
        "Revoke"
    ]
    revoke = reverse("admin:partners_letter_revoke", args=[letter.pk])

    response = as_approver.post(revoke, {"reason": "The agent lost it on the bus."})

    assert response.status_code == 302
    letter.refresh_from_db()
    assert letter.revoked_at is not None and letter.revoked_by == approver
    [entry] = bureau_entries(RegistryKind.LETTER_REVOKED)
    assert entry_body(entry)["reason"] == "The agent lost it on the bus."


def test_bureau_staff_see_letters_but_cannot_issue_or_revoke(as_staff, authorisation, approver):
    letter = letter_issue(authorisation, actor=approver)
    before = ledger_size()

    assert "Issue a letter" not in tool_labels(as_staff, authorisation)
    assert as_staff.get(reverse("admin:partners_letter_add")).status_code == 403
    response = as_staff.post(
        reverse("admin:partners_letter_add"), {"authorisation": authorisation.pk}
    )
    assert response.status_code == 403
    change = reverse("admin:partners_letter_change", args=[letter.pk])
    assert as_staff.get(change).status_code == 200
    assert not as_staff.get(change).context.get("record_actions")
    revoke = reverse("admin:partners_letter_revoke", args=[letter.pk])
    assert as_staff.post(revoke, {"reason": "Forged."}).status_code == 403
    assert as_staff.get(reverse("admin:partners_letter_print", args=[letter.pk])).status_code == 200
    assert ledger_size() == before and Letter.objects.filter(revoked_at__isnull=True).count() == 1


def test_no_letter_button_for_a_revoked_authorisation(as_approver, authorisation, approver):
    from partners.services.authorisations import authorisation_revoke

    authorisation_revoke(authorisation, actor=approver, reason="Withdrawn.")
    assert "Issue a letter" not in tool_labels(as_approver, authorisation)
    response = as_approver.post(
        reverse("admin:partners_letter_add"), {"authorisation": authorisation.pk}
    )
    assert response.status_code == 200  # the form refuses the choice
    assert "authorisation" in response.context["adminform"].form.errors
    assert not Letter.objects.exists()


def test_the_letter_list_shows_each_letters_status(
    as_approver, authorisation, approver, other_partner
):
    from partners.services.vetting import vetting_suspend

    first = letter_issue(authorisation, actor=approver)
    second = letter_issue(other_partner.authorisations.get(), actor=approver)
    vetting_suspend(other_partner, actor=approver, reason="Investigation.")

    response = as_approver.get(reverse("admin:partners_letter_changelist"))

    rows = {letter.number: letter.current_status for letter in response.context["cl"].result_list}
    assert rows == {first.number: "valid", second.number: "suspended"}
