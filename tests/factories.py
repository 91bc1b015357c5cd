"""factory_boy factories for test data. Personas are built from these in conftest.py."""

from __future__ import annotations

import datetime as dt
import random

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from auditsvc.base.identities import resident_id_check_char
from partners import choices, models
from partners.auth import (
    PARTNER_KEY_PREFIX,
    PARTNER_TEST_KEY_PREFIX,
    STAFF_TOKEN_PREFIX,
    hash_key,
    new_key,
)
from partners.validators import USCC_ALPHABET, uscc_check_char

ALL_PURPOSES = [p.value for p in choices.Purpose]
ENROLMENT_FIELDS = ["name", "id_number", "id_photo", "face_image", "phone", "address"]


def make_uscc(seed: int | None = None, first: str = "9") -> str:
    """A valid unified social credit code (check character computed)."""
    rng = random.Random(seed)
    body = first + "1" + "411381" + "".join(rng.choice(USCC_ALPHABET) for _ in range(9))
    return body + uscc_check_char(body)


def make_resident_id(
    region: str = "411381", born: dt.date = dt.date(1950, 3, 7), sequence: int = 123
) -> str:
    """A valid GB 11643-1999 resident identity number."""
    first17 = f"{region}{born:%Y%m%d}{sequence:03d}"
    return first17 + resident_id_check_char(first17)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@ybj.example")
    is_staff = True
    password = factory.django.Password("correct horse battery staple")

    @factory.post_generation
    def groups(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.add(*(Group.objects.get(name=name) for name in extracted))


class PartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Partner

    code = factory.LazyFunction(lambda: models.Partner.objects.next_code())
    legal_name = factory.Sequence(lambda n: f"Henan Helper Technology Co. {n}")
    uscc = factory.Sequence(lambda n: make_uscc(seed=n))
    kind = choices.PartnerKind.ENROLMENT_PARTNER
    contact_name = "Li Wei"
    contact_email = factory.Sequence(lambda n: f"contact{n}@partner.example")
    dpo_name = "Wang Fang"
    dpo_email = factory.Sequence(lambda n: f"dpo{n}@partner.example")
    address = "1 Renmin Road, Dengzhou, Henan"
    status = choices.PartnerStatus.APPLIED


class DocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.QualificationDocument

    partner = factory.SubFactory(PartnerFactory)
    doc_type = choices.DocumentType.BUSINESS_LICENCE
    file = factory.django.FileField(filename="licence.pdf", data=b"%PDF-1.4 test document")
    sha256 = "0" * 64
    issued_on = factory.LazyFunction(lambda: dt.date.today() - dt.timedelta(days=30))
    expires_on = factory.LazyFunction(lambda: dt.date.today() + dt.timedelta(days=365))


class AuthorisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Authorisation

    partner = factory.SubFactory(PartnerFactory)
    letter_number = factory.Sequence(lambda n: f"YBJ-2026-{n:05d}")
    regions = factory.LazyFunction(lambda: ["4113"])
    purposes = factory.LazyFunction(lambda: list(ALL_PURPOSES))
    fields = factory.LazyFunction(lambda: list(ENROLMENT_FIELDS))
    valid_from = factory.LazyFunction(lambda: dt.date.today() - dt.timedelta(days=10))
    valid_until = factory.LazyFunction(lambda: dt.date.today() + dt.timedelta(days=180))
    # All day by default, so tests that use "now" do not depend on the hour they run.
    hours_start = dt.time(0, 0)
    hours_end = dt.time(23, 59, 59)


#: When factory-built agents were registered: long before any test time, like the
#: approvals of factory-built partners (conftest.record_approval), since ingestion
#: judges an agent at the access time.
AGENTS_REGISTERED_AT = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)


class AgentFactory(factory.django.DjangoModelFactory):
    """An active agent, registered long ago (``created_at=`` another instant to change that)."""

    class Meta:
        model = models.Agent

    partner = factory.SubFactory(PartnerFactory)
    code = factory.Sequence(lambda n: f"A-{n + 1:04d}")
    name = factory.Sequence(lambda n: f"Agent {n}")
    phone_ref = factory.Sequence(lambda n: f"{n:064x}")
    identity_ref = factory.Sequence(lambda n: f"{n + 10**6:064x}")
    registered_on = AGENTS_REGISTERED_AT.date()

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        # created_at is auto_now_add: set it after the insert.
        created_at = kwargs.pop("created_at", AGENTS_REGISTERED_AT)
        agent = super()._create(model_class, *args, **kwargs)
        model_class.objects.filter(pk=agent.pk).update(created_at=created_at)
        agent.created_at = created_at
        return agent


def issue_partner_key(
    partner: models.Partner, label: str = "partner software", *, test: bool = False
) -> str:
    """Create an active credential (a live key, or a test key) for ``partner``; return the key."""
    key, prefix = new_key(PARTNER_TEST_KEY_PREFIX if test else PARTNER_KEY_PREFIX)
    models.ApiCredential.objects.create(
        partner=partner, label=label, prefix=prefix, key_hash=hash_key(key), is_test=test
    )
    return key


def issue_test_token(user) -> str:
    """Create a personal API token for ``user`` and return it."""
    key, prefix = new_key(STAFF_TOKEN_PREFIX)
    models.StaffToken.objects.create(user=user, label="test", prefix=prefix, key_hash=hash_key(key))
    return key
