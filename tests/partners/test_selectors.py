"""Work queues for staff: partners awaiting review, letters and documents about to expire."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from partners.choices import PartnerStatus
from partners.selectors import (
    authorisations_expiring,
    documents_expiring,
    local_today,
    partners_awaiting_review,
)
from tests import factories

TODAY = local_today()


def days(n: int) -> dt.date:
    return TODAY + dt.timedelta(days=n)


def test_partners_awaiting_review_are_applied_or_under_review(db):
    applied = factories.PartnerFactory(status=PartnerStatus.APPLIED)
    reviewing = factories.PartnerFactory(status=PartnerStatus.UNDER_REVIEW)
    for status in ("approved", "rejected", "suspended", "revoked"):
        factories.PartnerFactory(status=status)
    assert set(partners_awaiting_review()) == {applied, reviewing}


def test_authorisations_expiring_within_the_window(vetted_partner):
    soon = factories.AuthorisationFactory(partner=vetted_partner, valid_until=days(10))
    today = factories.AuthorisationFactory(partner=vetted_partner, valid_until=days(0))
    edge = factories.AuthorisationFactory(partner=vetted_partner, valid_until=days(30))
    factories.AuthorisationFactory(partner=vetted_partner, valid_until=days(31))
    factories.AuthorisationFactory(  # already over
        partner=vetted_partner, valid_from=days(-20), valid_until=days(-1)
    )
    factories.AuthorisationFactory(  # not yet started
        partner=vetted_partner, valid_from=days(5), valid_until=days(10)
    )
    factories.AuthorisationFactory(  # revoked
        partner=vetted_partner, valid_until=days(3), revoked_at=timezone.now()
    )
    suspended = factories.PartnerFactory(status=PartnerStatus.SUSPENDED)
    factories.AuthorisationFactory(partner=suspended, valid_until=days(3))

    assert list(authorisations_expiring()) == [today, soon, edge]
    assert list(authorisations_expiring(within_days=5)) == [today]


def test_documents_expiring_without_a_successor(vetted_partner, pending_partner):
    expiring = vetted_partner.documents.get(doc_type="business_licence")
    expiring.expires_on = days(20)
    expiring.save()
    renewed = vetted_partner.documents.get(doc_type="staff_list")
    renewed.expires_on = days(5)
    renewed.save()
    factories.DocumentFactory(  # the renewal of the staff list, valid a year on
        partner=vetted_partner, doc_type="staff_list", issued_on=days(0), expires_on=days(365)
    )
    pending = factories.DocumentFactory(partner=pending_partner, expires_on=days(30))
    factories.DocumentFactory(partner=pending_partner, doc_type="other", expires_on=days(31))
    factories.DocumentFactory(  # expired already: not "expiring"
        partner=pending_partner, doc_type="staff_list", issued_on=days(-100), expires_on=days(-1)
    )
    rejected = factories.PartnerFactory(status=PartnerStatus.REJECTED)
    factories.DocumentFactory(partner=rejected, expires_on=days(3))

    assert set(documents_expiring()) == {expiring, pending}
    assert list(documents_expiring(within_days=20)) == [expiring]
