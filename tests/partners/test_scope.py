"""PartnerScope: may this partner do X for region R at time T, and if not, which rule says no."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from partners.choices import PartnerStatus
from partners.models import Partner
from partners.selectors import PartnerScope
from partners.services.authorisations import authorisation_revoke
from partners.services.vetting import vetting_reinstate, vetting_suspend
from tests import factories
from tests.conftest import record_approval

SHANGHAI = ZoneInfo("Asia/Shanghai")
APPROVED = PartnerStatus.APPROVED


def local(*args) -> dt.datetime:
    """A wall-clock time in Asia/Shanghai."""
    return dt.datetime(*args, tzinfo=SHANGHAI)


# A quiet Tuesday in March, mid-morning in Dengzhou.
NOON = local(2026, 3, 10, 11, 0)


def grant(partner, **overrides):
    values = {
        "partner": partner,
        "regions": ["411381"],
        "purposes": ["card_activation"],
        "fields": ["name", "id_number"],
        "valid_from": dt.date(2026, 3, 1),
        "valid_until": dt.date(2026, 3, 31),
        "hours_start": dt.time(8),
        "hours_end": dt.time(18),
        "daily_cap_per_agent": 50,
        "daily_cap_per_partner": 500,
    }
    values.update(overrides)
    return factories.AuthorisationFactory(**values)


@pytest.fixture
def partner(db):
    partner = factories.PartnerFactory(status=APPROVED)
    record_approval(partner, at=local(2026, 1, 5, 9))
    return partner


def check(partner, *, region_code="411381", purpose="card_activation", fields=("name",), at=NOON):
    scope = PartnerScope.load(partner)
    return scope.check(
        region_code=region_code,
        purpose=purpose,
        fields=list(fields) if fields is not None else None,
        at=at,
    )


def test_it_allows_a_record_inside_the_scope(partner):
    authorisation = grant(partner)
    result = check(partner, fields=["name", "id_number"])
    assert result.violations == []
    assert result.allowed
    assert result.authorisation == authorisation
    assert (result.daily_cap_per_agent, result.daily_cap_per_partner) == (50, 500)


# --- Regions -----------------------------------------------------------------------------


@pytest.mark.parametrize("region", ["41", "4113", "411381"])
def test_it_matches_regions_by_2_4_and_6_digit_prefix(partner, region):
    grant(partner, regions=[region])
    assert check(partner, region_code="411381").violations == []


@pytest.mark.parametrize(
    ("authorised", "asked"),
    [("41", "421381"), ("4113", "411481"), ("411381", "411302"), ("411381", "411382")],
)
def test_it_refuses_a_region_outside_every_prefix(partner, authorised, asked):
    grant(partner, regions=[authorised])
    result = check(partner, region_code=asked)
    assert result.violations == ["region_not_authorised"]
    assert not result.allowed


def test_any_listed_region_will_do(partner):
    grant(partner, regions=["110105", "4113"])
    assert check(partner, region_code="411325").violations == []
    assert check(partner, region_code="110105").violations == []
    assert check(partner, region_code="110106").violations == ["region_not_authorised"]


# --- Purposes and fields ------------------------------------------------------------------


def test_it_refuses_a_purpose_that_is_not_authorised(partner):
    grant(partner, purposes=["card_activation"])
    assert check(partner, purpose="info_update").violations == ["purpose_not_authorised"]


def test_it_refuses_a_field_that_is_not_permitted(partner):
    grant(partner, fields=["name", "id_number"])
    assert check(partner, fields=["name", "bank_account"]).violations == ["field_not_permitted"]


def test_sessions_skip_the_field_check(partner):
    grant(partner, fields=["name"])
    assert check(partner, fields=None).violations == []


def test_no_fields_at_all_is_within_scope(partner):
    grant(partner)
    assert check(partner, fields=[]).violations == []


# --- Hours (Asia/Shanghai, end exclusive) ----------------------------------------------


@pytest.mark.parametrize(
    ("at", "inside"),
    [
        (local(2026, 3, 10, 7, 59, 59, 999999), False),
        (local(2026, 3, 10, 8, 0), True),
        (local(2026, 3, 10, 17, 59, 59, 999999), True),
        (local(2026, 3, 10, 18, 0), False),
        (local(2026, 3, 10, 23, 30), False),
    ],
    ids=["just-before-start", "at-start", "just-before-end", "at-end", "night"],
)
def test_it_checks_hours_at_the_edges_in_shanghai_time(partner, at, inside):
    grant(partner)
    assert check(partner, at=at).violations == ([] if inside else ["outside_hours"])


def test_it_reads_hours_in_shanghai_whatever_the_offset_of_the_record(partner):
    grant(partner)
    # 00:30 UTC is 08:30 in Shanghai: inside. 10:30 UTC is 18:30 there: outside.
    assert check(partner, at=dt.datetime(2026, 3, 10, 0, 30, tzinfo=dt.UTC)).violations == []
    assert check(partner, at=dt.datetime(2026, 3, 10, 10, 30, tzinfo=dt.UTC)).violations == [
        "outside_hours"
    ]
    new_york = ZoneInfo("America/New_York")  # 21:00 on the 9th there is 10:00 on the 10th here
    assert check(partner, at=dt.datetime(2026, 3, 9, 21, 0, tzinfo=new_york)).violations == []


def test_it_refuses_a_naive_time(partner):
    grant(partner)
    with pytest.raises(ValueError, match="aware"):
        check(partner, at=dt.datetime(2026, 3, 10, 11, 0))


# --- Dates (Asia/Shanghai, both ends inclusive) --------------------------------------------


ALL_DAY = {"hours_start": dt.time(0), "hours_end": dt.time(23, 59, 59, 999999)}


@pytest.mark.parametrize(
    ("at", "current"),
    [
        (local(2026, 2, 28, 23, 59, 59), False),
        (local(2026, 3, 1, 0, 0), True),
        (local(2026, 3, 31, 23, 59, 59), True),
        (local(2026, 4, 1, 0, 0), False),
    ],
    ids=["day-before", "first-day", "last-day", "day-after"],
)
def test_it_checks_dates_at_the_edges_in_shanghai_time(partner, at, current):
    grant(partner, **ALL_DAY)
    assert check(partner, at=at).violations == ([] if current else ["authorisation_expired"])


def test_the_date_is_the_shanghai_date_not_the_utc_one(partner):
    grant(partner, **ALL_DAY)
    # 2026-03-31 16:30 UTC is already 1 April in Shanghai: expired.
    late = dt.datetime(2026, 3, 31, 16, 30, tzinfo=dt.UTC)
    assert check(partner, at=late).violations == ["authorisation_expired"]
    # 2026-02-28 16:30 UTC is 1 March in Shanghai: current.
    early = dt.datetime(2026, 2, 28, 16, 30, tzinfo=dt.UTC)
    assert check(partner, at=early).violations == []


def test_an_expired_authorisation_is_reported_without_the_other_rules(partner):
    authorisation = grant(partner)
    result = check(partner, region_code="110105", purpose="info_update", at=local(2026, 5, 1, 3))
    assert result.violations == ["authorisation_expired"]
    assert result.authorisation == authorisation  # the closest one, for the record
    assert result.daily_cap_per_agent == 50


def test_with_no_authorisation_at_all_it_reports_expired_and_none(partner):
    result = check(partner)
    assert result.violations == ["authorisation_expired"]
    assert result.authorisation is None
    assert (result.daily_cap_per_agent, result.daily_cap_per_partner) == (None, None)


def test_the_closest_authorisation_is_the_nearest_in_time(partner):
    grant(partner, valid_from=dt.date(2025, 1, 1), valid_until=dt.date(2025, 12, 31))
    next_one = grant(partner, valid_from=dt.date(2026, 4, 1), valid_until=dt.date(2026, 12, 31))
    result = check(partner, at=local(2026, 3, 20, 11))
    assert result.violations == ["authorisation_expired"]
    assert result.authorisation == next_one


# --- Revoked authorisations, partner status --------------------------------------------------


def test_a_revoked_authorisation_does_not_count(partner, staff):
    grant(partner, revoked_at=local(2026, 3, 10, 9), revoked_by=staff)
    result = check(partner)
    assert result.violations == ["authorisation_expired"]
    assert result.authorisation is None


def test_a_revoked_authorisation_does_not_hide_a_current_one(partner, staff):
    grant(partner, regions=["41"], revoked_at=local(2026, 3, 10, 9), revoked_by=staff)
    kept = grant(partner, regions=["411381"])
    assert check(partner, region_code="411302").violations == ["region_not_authorised"]
    assert check(partner, region_code="411381").authorisation == kept


@pytest.mark.parametrize(
    "status",
    [
        PartnerStatus.SUSPENDED,
        PartnerStatus.APPLIED,
        PartnerStatus.UNDER_REVIEW,
        PartnerStatus.REJECTED,
        PartnerStatus.REVOKED,
    ],
)
def test_a_partner_that_is_not_approved_is_reported(db, status):
    partner = factories.PartnerFactory(status=status)
    grant(partner)
    result = check(partner)
    assert result.violations == ["partner_not_approved"]
    assert result.authorisation is not None  # the rest was still evaluated


def test_a_suspended_partner_still_gets_the_other_rules_evaluated(db):
    partner = factories.PartnerFactory(status=PartnerStatus.SUSPENDED)
    grant(partner)
    result = check(partner, region_code="110105", at=local(2026, 3, 10, 20))
    assert result.violations == ["partner_not_approved", "region_not_authorised", "outside_hours"]
    result = check(partner, at=local(2026, 6, 1, 11))
    assert result.violations == ["partner_not_approved", "authorisation_expired"]


# --- Several authorisations, order, performance ------------------------------------------------


def test_every_violation_is_reported_in_a_stable_order(db):
    partner = factories.PartnerFactory(status=PartnerStatus.SUSPENDED)
    grant(partner)
    result = check(
        partner,
        region_code="110105",
        purpose="benefit_enquiry",
        fields=["medical_record"],
        at=local(2026, 3, 10, 6),
    )
    assert result.violations == [
        "partner_not_approved",
        "region_not_authorised",
        "purpose_not_authorised",
        "field_not_permitted",
        "outside_hours",
    ]


def test_any_one_current_authorisation_that_covers_everything_allows(partner):
    grant(partner, letter_number="L-regions", regions=["4113"], purposes=["card_activation"])
    evening = grant(
        partner,
        letter_number="L-evening",
        regions=["110105"],
        purposes=["info_update"],
        hours_start=dt.time(17),
        hours_end=dt.time(21),
        daily_cap_per_agent=7,
    )
    result = check(partner, region_code="110105", purpose="info_update", at=local(2026, 3, 10, 20))
    assert result.violations == []
    assert result.authorisation == evening
    assert result.daily_cap_per_agent == 7


def test_when_none_covers_it_reports_the_closest_authorisation(partner):
    grant(partner, letter_number="L-far", regions=["1101"], purposes=["info_update"])
    near = grant(partner, letter_number="L-near", regions=["4113"], purposes=["info_update"])
    # L-near misses only the purpose; L-far misses region and purpose.
    result = check(partner, region_code="411381", purpose="card_activation")
    assert result.violations == ["purpose_not_authorised"]
    assert result.authorisation == near


def test_an_authorisation_that_is_not_current_is_not_a_candidate(partner):
    grant(partner, regions=["4113"], valid_until=dt.date(2026, 3, 5))  # expired on the 10th
    grant(partner, regions=["1101"])
    assert check(partner, region_code="411381").violations == ["region_not_authorised"]


def test_loading_is_three_queries_and_checking_is_none(partner, django_assert_num_queries):
    for number in range(5):
        grant(partner, letter_number=f"L-{number}", regions=[f"41{number + 10}"])
    # Current status, vetting history, authorisations: one query each, however many.
    with django_assert_num_queries(3):
        scope = PartnerScope.load(partner)
    with django_assert_num_queries(0):
        for _ in range(1000):
            scope.check(region_code="411481", purpose="card_activation", fields=["name"], at=NOON)
            scope.check(region_code="419999", purpose="card_activation", fields=None, at=NOON)


# --- Judged at the time of the access, not of the upload ------------------------------------


def all_day_letter_around(partner, moment: dt.datetime):
    day = moment.astimezone(SHANGHAI).date()
    return grant(
        partner,
        valid_from=day - dt.timedelta(days=10),
        valid_until=day + dt.timedelta(days=10),
        **ALL_DAY,
    )


def test_a_revoked_letter_still_covers_accesses_made_before_its_revocation(partner, staff):
    letter = all_day_letter_around(partner, timezone.now())
    authorisation_revoke(letter, actor=staff, reason="Letter withdrawn by the bureau.")
    revoked_at = letter.revoked_at

    before = check(partner, at=revoked_at - dt.timedelta(seconds=1))
    assert before.violations == []
    assert before.authorisation == letter

    assert check(partner, at=revoked_at).violations == ["authorisation_expired"]
    assert check(partner, at=revoked_at + dt.timedelta(hours=1)).violations == [
        "authorisation_expired"
    ]


def test_an_access_during_a_suspension_is_flagged_even_after_reinstatement(
    make_partner, staff, approver
):
    partner = make_partner(APPROVED)
    record_approval(partner, at=local(2026, 1, 5, 9))
    all_day_letter_around(partner, timezone.now())
    suspension = vetting_suspend(partner, actor=staff, reason="Complaint under investigation.")
    reinstatement = vetting_reinstate(partner, actor=approver, reason="Complaint unfounded.")
    assert suspension.decided_at < reinstatement.decided_at
    assert partner.status == APPROVED

    # Uploaded now, while approved, about a moment inside the suspension.
    assert check(partner, at=suspension.decided_at).violations == ["partner_not_approved"]
    # Before the suspension and after the reinstatement the partner was approved.
    assert check(partner, at=suspension.decided_at - dt.timedelta(seconds=1)).violations == []
    assert check(partner, at=reinstatement.decided_at).violations == []


def test_a_suspended_partners_uploads_are_flagged_even_for_earlier_accesses(make_partner, staff):
    partner = make_partner(APPROVED)
    record_approval(partner, at=local(2026, 1, 5, 9))
    all_day_letter_around(partner, timezone.now())
    suspension = vetting_suspend(partner, actor=staff, reason="Complaint under investigation.")

    earlier = suspension.decided_at - dt.timedelta(hours=1)
    assert check(partner, at=earlier).violations == ["partner_not_approved"]


def test_an_access_before_the_partner_was_approved_is_flagged(partner):
    grant(partner, valid_from=dt.date(2026, 1, 1), **ALL_DAY)
    # Approved on 5 January at 09:00 (the fixture's history).
    assert check(partner, at=local(2026, 1, 5, 8, 59)).violations == ["partner_not_approved"]
    assert check(partner, at=local(2026, 1, 5, 9, 0)).violations == []


def test_a_partner_without_any_decision_was_never_approved(db):
    # Status set behind the services' back: no decision ever approved it.
    partner = factories.PartnerFactory(status=APPROVED)
    grant(partner)
    assert check(partner).violations == ["partner_not_approved"]


def test_it_reads_the_current_status_from_the_database_not_the_object_handed_in(partner):
    grant(partner)
    stale = Partner.objects.get(pk=partner.pk)
    # A suspension committed after the caller loaded its partner object.
    Partner.objects.filter(pk=partner.pk).update(status=PartnerStatus.SUSPENDED)
    assert stale.status == APPROVED
    assert check(stale).violations == ["partner_not_approved"]
