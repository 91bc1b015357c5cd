"""The ledger's admin pages: read only for everyone, no N+1, an entry's signature checked."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticDevice

from auditsvc.ledger.checkpoints import checkpoint_sign
from auditsvc.ledger.models import LedgerEntry, Log, PublishedKey, SignedCheckpoint
from tests import factories

pytestmark = pytest.mark.django_db

MODELS = (LedgerEntry, SignedCheckpoint, PublishedKey, Log)


def signed_in(user) -> Client:
    """An admin client past the second factor (as tests/partners/admin does it)."""
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    device, _ = StaticDevice.objects.get_or_create(user=user, name="test", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


@pytest.fixture
def ledger(append):
    append("T0001", 30, batch=7)
    append("T0002", 3)
    checkpoint_sign("T0001")


@pytest.fixture
def superuser(db):
    return factories.UserFactory(username="root", is_superuser=True)


def url(model, action: str, *args) -> str:
    return reverse(f"admin:ledger_{model._meta.model_name}_{action}", args=args)


def one_pk(model):
    return model.objects.values_list("pk", flat=True).first()


def test_nobody_may_add_change_or_delete_not_even_a_superuser(ledger, superuser):
    client = signed_in(superuser)

    for model in MODELS:
        pk = one_pk(model)
        assert client.get(url(model, "changelist")).status_code == 200
        assert client.get(url(model, "add")).status_code == 403
        assert client.get(url(model, "delete", pk)).status_code == 403
        page = client.get(url(model, "change", pk))
        assert page.status_code == 200
        assert b'name="_save"' not in page.content
        assert client.post(url(model, "change", pk), {}).status_code == 403
    assert LedgerEntry.objects.count() == 33


def test_an_entry_page_shows_the_canonical_json_hash_signature_and_verdict(ledger, auditor):
    entry = LedgerEntry.objects.get(log_id="T0001", seq=4)

    page = signed_in(auditor).get(url(LedgerEntry, "change", entry.pk)).content.decode()

    assert "&quot;kind&quot;: &quot;access.recorded&quot;" in page
    assert bytes(entry.leaf_hash).hex() in page
    assert f"yes, by auditsvc.localhost ({entry.key_id})" in page


def test_the_entry_list_costs_the_same_queries_for_few_or_many_rows(
    ledger, superuser, django_assert_max_num_queries, append
):
    client = signed_in(superuser)
    client.get(url(LedgerEntry, "changelist"))  # warm the session and content types

    with django_assert_max_num_queries(12) as few:
        client.get(url(LedgerEntry, "changelist") + "?log__log_id__exact=T0002")
    append("T0002", 40)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url(LedgerEntry, "changelist") + "?log__log_id__exact=T0002")
    assert response.status_code == 200


def test_the_key_list_says_whether_the_private_key_is_here(ledger, superuser, signing_key):
    page = signed_in(superuser).get(url(PublishedKey, "changelist")).content.decode()

    assert signing_key.key_id in page
    assert 'alt="True"' in page


def listed_entries(response) -> list[tuple[str, int]]:
    return [(entry.log_id, entry.seq) for entry in response.context["cl"].result_list]


def test_it_finds_an_entry_by_its_receipt(ledger, auditor):
    client = signed_in(auditor)

    for term in ("T0001#4", " T0001 # 4 ", "t0001#4"):
        response = client.get(url(LedgerEntry, "changelist"), {"q": term})
        assert response.status_code == 200
        assert listed_entries(response) == [("T0001", 4)], term
    missing = client.get(url(LedgerEntry, "changelist"), {"q": "T0001#999"})
    assert listed_entries(missing) == []


def test_it_finds_entries_by_log_and_by_kind(ledger, auditor, append):
    append("T0003", 2, kind="session.opened")
    client = signed_in(auditor)

    by_log = client.get(url(LedgerEntry, "changelist"), {"q": "T0002"})
    by_kind = client.get(url(LedgerEntry, "changelist"), {"q": "session.opened"})

    assert sorted(listed_entries(by_log)) == [("T0002", 0), ("T0002", 1), ("T0002", 2)]
    assert sorted(listed_entries(by_kind)) == [("T0003", 0), ("T0003", 1)]


def test_an_entry_is_reached_by_its_log_and_seq(ledger, auditor):
    client = signed_in(auditor)
    entry = LedgerEntry.objects.get(log_id="T0001", seq=4)

    response = client.get(reverse("admin:ledger_ledgerentry_at", args=["T0001", 4]))

    assert response.status_code == 302
    assert response["Location"] == url(LedgerEntry, "change", entry.pk)
    assert (
        client.get(reverse("admin:ledger_ledgerentry_at", args=["T0001", 999])).status_code == 404
    )


def test_a_logs_page_links_to_its_entries_and_checkpoints(ledger, auditor):
    client = signed_in(auditor)

    page = client.get(url(Log, "change", "T0001")).content.decode()

    entries = url(LedgerEntry, "changelist") + "?log__log_id__exact=T0001"
    checkpoints = url(SignedCheckpoint, "changelist") + "?log__log_id__exact=T0001"
    assert f'href="{entries}"' in page
    assert f'href="{checkpoints}"' in page
    listed = client.get(entries)
    assert {log for log, _ in listed_entries(listed)} == {"T0001"}
    assert [c.log_id for c in client.get(checkpoints).context["cl"].result_list] == ["T0001"]
